#!/usr/bin/env bash
# Memory bound scenario (issue 15, not part of CI): chat-proxy with a 256 MiB heap and the
# default cache bound (a quarter of the heap) is asked for PAGES distinct pages of about
# 1 MB. Checks that every answer is 200, the process stays up, the bytes the cache weighs stay
# at or below the bound, and tables the heap after a full GC against the pages fetched.
# Usage: bench/memory/run.sh [PAGES] [PAGE_BYTES]   (about 3 minutes for 2000 pages)
set -euo pipefail
cd "$(dirname "$0")/../.."
pages=${1:-2000}; page_bytes=${2:-1000000}
out=bench/results/memory; mkdir -p "$out"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
upstream=$(free_port); api=$(free_port); mgmt=$(free_port)
[ -f target/chat-proxy-0.1.0-SNAPSHOT.jar ] || ./mvnw -B -q package -DskipTests
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
python3 bench/memory/standin.py "$upstream" "$page_bytes" & pids+=($!)
java -Xmx256m -XX:+ExitOnOutOfMemoryError -jar target/chat-proxy-0.1.0-SNAPSHOT.jar \
  --server.port="$api" --management.server.port="$mgmt" --postpress.base-url="http://127.0.0.1:$upstream/v1" \
  --postpress.api-key=bench --logging.level.dev.chatproxy.access=warn > "$out/proxy.log" 2>&1 & proxy=$!; pids+=($proxy)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$mgmt/actuator/health/readiness" >/dev/null && break; sleep 0.5; done
metric() { curl -s "http://127.0.0.1:$mgmt/actuator/prometheus" | awk -v m="$1" '!found && $1 ~ "^"m"(\\{|$)" {print $2; found = 1}'; }
heap_after_gc() { jcmd "$proxy" GC.run >/dev/null; curl -s "http://127.0.0.1:$mgmt/actuator/prometheus" \
  | awk '/^jvm_memory_used_bytes\{.*area="heap"/ {sum += $NF} END {printf "%d", sum}'; }
mib() { awk -v v="$1" 'BEGIN { printf "%.1f", v / 1048576 }'; }
bound=$(metric chatproxy_cache_max_bytes)
printf '| pages fetched | non-200 | cache weighed (MiB) | bound (MiB) | cache entries | heap after GC (MiB) |\n|---|---|---|---|---|---|\n' > "$out/table.md"
bad=0; step=$(( pages / 10 ))
for start in $(seq 0 "$step" $(( pages - 1 ))); do
  codes=$(seq "$start" $(( start + step - 1 )) | xargs -P 4 -I{} curl -s -o /dev/null -w '%{http_code}\n' \
    "http://127.0.0.1:$api/attendees/att_mem_{}/chats")
  bad=$(( bad + $(grep -vc '^200$' <<<"$codes" || true) ))
  kill -0 "$proxy" || { echo "proxy died" >&2; exit 1; }
  weighed=$(metric chatproxy_cache_weighed_bytes); entries=$(metric cache_size)
  printf '| %d | %d | %s | %s | %.0f | %s |\n' $(( start + step )) "$bad" "$(mib "$weighed")" "$(mib "$bound")" \
    "$entries" "$(mib "$(heap_after_gc)")" >> "$out/table.md"
  awk -v w="$weighed" -v b="$bound" 'BEGIN { exit !(w <= b) }' || { echo "weighed $weighed > bound $bound" >&2; exit 1; }
done
{ echo "Run $(date -u '+%Y-%m-%d %H:%M UTC'), $(java -version 2>&1 | head -1), -Xmx256m, $pages pages of ~$page_bytes B, load: $(cut -d' ' -f1-3 /proc/loadavg)"; echo; cat "$out/table.md"; } > "$out/RESULTS.md"
cat "$out/RESULTS.md"
[ "$bad" -eq 0 ] || { echo "$bad answers were not 200" >&2; exit 1; }
