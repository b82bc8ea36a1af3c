#!/usr/bin/env bash
# Live-update streams benchmark of issue 22, not part of CI: one replica of the built jar pinned to
# CPU 0 holding 5,000 open `GET /attendees/{id}/chats/events` streams (proxy.events.max-streams at its
# default 5000; Tomcat's server.tomcat.max-connections default is 8192), spread over a few attendees
# whose first pages are cached; bench/StreamsClient.java holds them on one NIO thread on CPU 1.
#  1. webhook -> the LAST stream's chats-changed event: N webhooks one at a time, each naming every
#     attendee (so every stream gets an event), spaced by more than proxy.webhook.min-refresh-interval
#     (1 s; closer ones are folded into one event); p50/p99 over the N (goal: p99 < 250 ms);
#  2. live heap after a full GC (GC.class_histogram), live threads (jvm_threads_live_threads and the
#     OS's count) and RSS without streams, with the 5,000 open, and after they closed;
#  3. a hit's throughput (wrk, 1-item page, 64 connections, on CPU 1) without and with the 5,000
#     streams open, alternating rounds (the order flips every round); ratio per round, then the
#     median (goal: within 10%).
# Usage: bench/streams.sh   (from anywhere; about 10 minutes on a quiet 2-core machine)
# Writes bench/results/streams/RESULTS.md and bench/results/streams/data/.
# Knobs (environment): BENCH_JDK (default Temurin 25 where installed), BENCH_SKIP_BUILD (1 reuses
# target/), BENCH_DELAY_MS (20, the stand-in's delay), STREAMS_COUNT (5000), STREAMS_ATTENDEES (5 of
# the demo's), STREAMS_WEBHOOKS (100), STREAMS_GAP_MS (1200), STREAMS_ROUNDS (6), STREAMS_SECONDS (10
# per wrk run), STREAMS_CONNECTIONS (64), STREAMS_WARMUP_CYCLES (6 of 5 s), STREAMS_PORT_BASE (18500:
# base, base+1 and base+10), STREAMS_OUT (bench/results/streams), STREAMS_PROXY_OPTS (more JVM options
# for the proxy alone, e.g. a profiler's -agentpath=...; split on spaces). A profile of the fan-out:
#   STREAMS_WEBHOOKS=30 STREAMS_ROUNDS=0 STREAMS_WARMUP_CYCLES=2 STREAMS_OUT=/tmp/streams-profile \
#   STREAMS_PROXY_OPTS=-agentpath:/path/libasyncProfiler.so=start,event=cpu,file=/tmp/streams.html bench/streams.sh
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

count=${STREAMS_COUNT:-5000}
webhooks=${STREAMS_WEBHOOKS:-100}
gap_ms=${STREAMS_GAP_MS:-1200}
rounds=${STREAMS_ROUNDS:-6}
seconds=${STREAMS_SECONDS:-10}
connections=${STREAMS_CONNECTIONS:-64}
warmup_cycles=${STREAMS_WARMUP_CYCLES:-6}
delay_ms=${BENCH_DELAY_MS:-20}
port_base=${STREAMS_PORT_BASE:-18500}
app_port=$port_base
management_port=$((port_base + 1))
sim_port=$((port_base + 10))
source bench/lib/harness.sh
bench_paths streams "${STREAMS_OUT:-}"
account=acc_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
demo_attendees=(att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR att_01HY7R2D9K5M3N8P4Q6S1T0V2W att_01J0A4B6C8D2E5F7G9H1J3K5M7
  att_01J1B3C5D7E9F2G4H6J8K0M2N4 ACoAACr-1eYBlq7Xw3nZ0pT9sK4uVb8hJm2 33612345678@s.whatsapp.net)
attendees=("${demo_attendees[@]:0:${STREAMS_ATTENDEES:-5}}")
hit_url="http://127.0.0.1:$app_port/attendees/${demo_attendees[0]}/chats?limit=1"
source bench/lib/log.sh
source bench/lib/verdict.sh
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- every process this script starts is in pids, and stopped by pid on any exit ----------------
pids=()
source bench/lib/cleanup.sh

forget() { # a started process that exited by itself, reaped by wait
  local kept=() p
  for p in "${pids[@]}"; do [[ $p == "$1" ]] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}


# --- processes -----------------------------------------------------------------------------------

start_proxy() { # the jar as shipped on CPU 0; proxy.events.* at their defaults
  log "starting the proxy on CPU 0, port $app_port (management $management_port); log $logs/proxy.log"
  env POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$app_port" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
    MANAGEMENT_SERVER_PORT="$management_port" PROXY_CACHE_TTL=10m PROXY_WEBHOOK_SECRET=$secret \
    taskset -c 0 "$java" -Xlog:gc:file="$logs/gc.log" ${STREAMS_PROXY_OPTS:-} -jar "$jar" >"$logs/proxy.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  wait_for "http://127.0.0.1:$management_port/actuator/health/readiness" "the proxy" "$proxy_pid"
}

# name, StreamsClient options...: the client on CPU 1 opens the streams (and posts webhooks when
# asked) and holds them until its standard input, a fifo held open on fd 3, is closed
client_start() {
  local name=$1
  shift
  client_out=$logs/client-$name.txt
  rm -f "$work/ctl"
  mkfifo "$work/ctl"
  taskset -c 1 "$java" -cp "$work/client" StreamsClient "base=http://127.0.0.1:$app_port" \
    "attendees=$(IFS=,; echo "${attendees[*]}")" "streams=$count" "$@" <"$work/ctl" >"$client_out" 2>&1 &
  client_pid=$!
  pids+=("$client_pid")
  exec 3>"$work/ctl"
  cpu_open=""
  for _ in $(seq 1 6000); do
    [[ -n $cpu_open ]] || ! grep -q '^OPEN' "$client_out" || { cpu_open=$(proxy_cpu_ms); wall_open=$(date +%s%3N); }
    if grep -q '^READY' "$client_out"; then
      cpu_ready=$(proxy_cpu_ms)
      wall_ready=$(date +%s%3N)
      return 0
    fi
    kill -0 "$client_pid" 2>/dev/null || die "the streams client exited (see $client_out)"
    sleep 0.1
  done
  die "the streams client was not ready within 600 s (see $client_out)"
}

proxy_cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%d", ($14 + $15) * 1000 / hz }' "/proc/$proxy_pid/stat"; }

client_stop() { # closes the streams and waits until the proxy counts none (it finds a closed one
  # when it next writes to it: at the latest the heartbeat, every 15 s)
  local t0 open
  exec 3>&-
  wait "$client_pid" || log "the streams client exited with $?"
  forget "$client_pid"
  t0=$(date +%s%3N)
  for _ in $(seq 1 600); do
    open=$(streams_open)
    [[ $open == 0 ]] && break
    sleep 0.1
  done
  log "  closed: $(grep '^END' "$client_out"); the proxy counted $open streams after $(($(date +%s%3N) - t0)) ms"
  printf '%s\t%s\t%s\n' "$(basename "$client_out" .txt)" "$open" $(($(date +%s%3N) - t0)) >>"$data/teardown.tsv"
}

metric() { # prometheus name (no labels) -> the sum of its samples
  curl -sf "http://127.0.0.1:$management_port/actuator/prometheus" |
    awk -v m="$1" '$1 == m || index($1, m "{") == 1 { s += $2; n++ } END { if (n) printf "%.0f\n", s; else print "n/a" }'
}

streams_open() { metric chatproxy_event_streams; }

# label -> one line of data/footprint.tsv: live heap after a full GC, live JVM threads (platform),
# OS threads, RSS, streams the proxy counts
footprint() {
  local heap jvm_threads os_threads rss
  "$java_home/bin/jcmd" "$proxy_pid" GC.class_histogram >"$logs/histogram-$1.txt"
  heap=$(awk '$1 == "Total" { print $3 }' "$logs/histogram-$1.txt")
  head -n 15 "$logs/histogram-$1.txt" >"$data/histogram-$1.txt"
  jvm_threads=$(metric jvm_threads_live_threads)
  os_threads=$(awk '/^Threads:/ { print $2 }' "/proc/$proxy_pid/status")
  rss=$(awk '/^VmRSS:/ { printf "%.0f", $2 * 1024 }' "/proc/$proxy_pid/status")
  "$java_home/bin/jcmd" "$proxy_pid" Thread.print >"$logs/threads-$1.txt"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$heap" "$jvm_threads" "$os_threads" "$rss" "$(streams_open)" >>"$data/footprint.tsv"
  log "  footprint $1: live heap $heap B, JVM threads $jvm_threads, OS threads $os_threads, RSS $rss B, streams $(streams_open)"
}

wrk_hit() { # -> RESULT line
  taskset -c 1 wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s bench/wrk/fixed.lua "$hit_url" | grep '^RESULT'
}

field() { sed -nE "s/.*[ ]$2=([^ ]+).*/\1/p" <<<"$1"; }

hit_round() { # round, with|without
  local line
  line=$(wrk_hit)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(field "$line" rps)" "$(field "$line" p50_us)" \
    "$(field "$line" p99_us)" "$(field "$line" non2xx)" "$(field "$line" errors)" "$(cut -d' ' -f1 /proc/loadavg)" >>"$data/hits.tsv"
  log "  round $1 $2 streams: $(field "$line" rps) req/s, p50 $(field "$line" p50_us) us, p99 $(field "$line" p99_us) us, non-2xx $(field "$line" non2xx), errors $(field "$line" errors)"
}

# --- main ----------------------------------------------------------------------------------------
for port in "$app_port" "$management_port" "$sim_port"; do
  port_free "$port" || die "port $port is in use (set STREAMS_PORT_BASE)"
done
for tool in wrk taskset curl mkfifo; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y ${tool/taskset/util-linux})"
done
# the client holds one descriptor per stream; the JVM of the proxy raises its own soft limit
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > count + 1000)) || die "ulimit -n is $(ulimit -n): too few descriptors for $count streams"
mkdir -p "$work"
build bench/StreamsClient.java
rm -rf "$data" "$logs"
mkdir -p "$data" "$logs"
: >"$data/hits.tsv"
: >"$data/footprint.tsv"
: >"$data/teardown.tsv"
machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
jdk=$("$java" -version 2>&1 | head -1 | tr -d '"')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $machine; load average: $load_before; JDK: $jdk ($java_home)"

start_standin
start_proxy
log "caching the first page of ${attendees[*]} and the 1-item page wrk asks for"
for attendee in "${attendees[@]}"; do
  curl -sf -o /dev/null --max-time 60 "http://127.0.0.1:$app_port/attendees/$attendee/chats" || die "no first page of $attendee"
done
curl -sf -o /dev/null --max-time 60 "$hit_url" || die "no 1-item page"
log "warming up: $warmup_cycles x 5 s of wrk on the hit, then $count streams with 10 webhooks"
for _ in $(seq 1 "$warmup_cycles"); do
  taskset -c 1 wrk -t1 -c"$connections" -d5s --timeout 10s "$hit_url" >>"$logs/warmup.txt"
done
log "footprint before any stream was opened"
footprint never
client_start warmup "hook=http://127.0.0.1:$app_port/webhooks/postpress" "secret=$secret" "account=$account" \
  webhooks=10 warm_webhooks=0 "gap_ms=$gap_ms" run=warm
grep -E '^(OPEN|RESULT)' "$client_out" >&2
client_stop

log "footprint without streams (after the warm-up's were closed)"
footprint without
log "webhook -> last stream's event: $count streams over ${#attendees[@]} attendees, $webhooks webhooks, ${gap_ms} ms apart"
load_webhooks_before=$(cut -d' ' -f1-3 /proc/loadavg)
client_start webhooks "hook=http://127.0.0.1:$app_port/webhooks/postpress" "secret=$secret" "account=$account" \
  "webhooks=$webhooks" warm_webhooks=3 "gap_ms=$gap_ms" run=measured
grep -E '^(OPEN|RESULT)' "$client_out" | tee "$data/webhooks.txt" >&2
grep '^WEBHOOK' "$client_out" >"$data/webhook-lines.txt" || true
# the proxy's CPU from the streams being open to the last webhook's events (polled every 0.1 s)
load_webhooks_after=$(cut -d' ' -f1-3 /proc/loadavg)
webhook_cpu_ms=$((cpu_ready - cpu_open))
webhook_wall_ms=$((wall_ready - wall_open))
log "  the proxy's CPU during the $((webhooks + 3)) webhooks: $webhook_cpu_ms ms in $webhook_wall_ms ms"
curl -sf "http://127.0.0.1:$management_port/actuator/prometheus" | grep -E '^chatproxy_(events|event_streams)' >"$data/metrics-with.txt" || true
log "footprint with the streams open"
footprint with
client_stop
footprint after

log "hit throughput: $rounds rounds of ${seconds} s at $connections connections, without and with $count streams, the order flipping"
for round in $(seq 1 "$rounds"); do
  if ((round % 2)); then order=(without with); else order=(with without); fi
  for kind in "${order[@]}"; do
    if [[ $kind == with ]]; then
      client_start "round-$round"
      grep '^OPEN' "$client_out" >&2
      hit_round "$round" with
      client_stop
    else
      hit_round "$round" without
    fi
  done
done
log "footprint at the end (after $((rounds + 2)) times $count streams opened and closed)"
footprint end
stop "$proxy_pid"
stop "$standin_pid"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started_at))

# --- report --------------------------------------------------------------------------------------
result=$(grep '^RESULT' "$data/webhooks.txt" || true)
opened=$(grep '^OPEN' "$data/webhooks.txt" | head -1 || true)
p50=$(field " $result" last_p50_ms)
p99=$(field " $result" last_p99_ms)
ratio=$(awk -F'\t' '{ rps[$1, $2] = $3 } END { for (k in rps) { split(k, p, SUBSEP)
  if (p[2] == "with" && ((p[1], "without") in rps) && rps[p[1], "without"] > 0) printf "%.4f\n", rps[k] / rps[p[1], "without"] } }' \
  "$data/hits.tsv" | sort -n | awk '{ r[++n] = $1 } END { if (n) printf "%.3f\n", (n % 2) ? r[(n + 1) / 2] : (r[n / 2] + r[n / 2 + 1]) / 2 }')
fp() { awk -F'\t' -v k="$1" -v c="$2" '$1 == k { print $c }' "$data/footprint.tsv"; }
per_stream() { awk -v a="$(fp with 2)" -v b="$(fp "$1" 2)" -v n="$count" 'BEGIN { if (a > 0 && b > 0) printf "%.0f", (a - b) / n; else print "n/a" }'; }
# a verdict only when the machine was not busier than its cores (then "met" or "missed" mean nothing)
cores=$(nproc)
busiest=$(awk -F'\t' -v b="${load_before%% *} ${load_after%% *} ${load_webhooks_before%% *} ${load_webhooks_after%% *}" \
  'BEGIN { split(b, l, " "); for (i in l) if (l[i] > m) m = l[i] } $8 > m { m = $8 } END { print m }' "$data/hits.tsv")
spread=$(grep -oE 'last_ms=[0-9.]+' "$data/webhook-lines.txt" | tail -n "$webhooks" | cut -d= -f2 | sort -n |
  awk '{ v[NR] = $1 } END { if (NR) printf "p10 %s, p25 %s, p50 %s, p75 %s, p90 %s, max %s ms", v[int((NR + 9) / 10)], v[int((NR + 3) / 4)], v[int((NR + 1) / 2)], v[int((3 * NR + 3) / 4)], v[int((9 * NR + 9) / 10)], v[NR] }')
verdict() {
  if awk -v m="$busiest" -v c="$cores" 'BEGIN { exit !(m > c) }'; then
    echo "no verdict: load average up to $busiest on $cores cores ($(met "$@") as measured)"
  else
    met "$@"
  fi
}
mib() { awk -v b="$1" 'BEGIN { if (b + 0 > 0) printf "%.1f MiB", b / 1048576; else print "n/a" }'; }
{
  echo "# Live-update streams: $count open streams on one replica (issue 22)"
  echo
  echo "\`bench/streams.sh\` of $run_date, $elapsed s; $machine; $jdk (\`$java_home\`)."
  echo "Load average before $load_before, after $load_after. **The machine is shared** with other agents' builds"
  echo "and tests: every number below is from a busy 2-core machine, not a quiet one, and the per-round"
  echo "load average is in the throughput table."
  echo
  echo "Setup: the built jar as shipped (plus \`-Xlog:gc:file\`; \`proxy.events.*\` at their defaults: max-streams 5000, queue 64, heartbeat"
  echo "15 s; Tomcat's max-connections 8192) pinned to CPU 0 (\`taskset -c 0\`), \`PROXY_CACHE_TTL=10m\`, a webhook"
  echo "secret; the stand-in (${delay_ms} ms), wrk and \`bench/StreamsClient.java\` (every stream on one NIO thread) on CPU 1."
  echo "Streams spread round-robin over ${#attendees[@]} attendees (${attendees[*]}), whose first pages are cached,"
  echo "so each event is refresh-then-tell: the proxy refetches those pages (one upstream call each) before it sends."
  echo
  echo "| goal | measured | verdict |"
  echo "|---|---|---|"
  echo "| webhook → last of $count streams' \`chats-changed\`, p99 < 250 ms | p50 $p50 ms, p99 $p99 ms | $(verdict 'v0 < 250' "$p99") |"
  echo "| a hit's throughput with $count streams open within 10% of without | median ratio with/without $ratio | $(verdict 'v0 >= 0.9 && v0 <= 1.1' "$ratio") |"
  echo
  echo "## Webhook → last stream's event"
  echo
  echo "$webhooks webhooks one at a time (after 3 not recorded), each \`message_received\` naming all ${#attendees[@]} attendees,"
  echo "posted ${gap_ms} ms apart at least (\`proxy.webhook.min-refresh-interval\` is 1 s: closer ones fold into one event)."
  echo "Time from just before the POST was written to the moment the client read the event on the last stream;"
  echo "p99 is nearest-rank over the $webhooks webhooks. \`median_p50_ms\`: the median stream's time, median over the webhooks."
  echo
  echo '```'
  echo "$opened"
  echo "$result"
  echo '```'
  echo
  echo "Load average before the webhooks $load_webhooks_before, after $load_webhooks_after. The last stream's time over the"
  echo "webhooks: $spread."
  echo
  echo "The proxy's CPU time (\`/proc/PID/stat\`) from the streams being open to the last webhook's events:"
  echo "$webhook_cpu_ms ms in $webhook_wall_ms ms of wall time for $((webhooks + 3)) webhooks, about $(awk -v c="$webhook_cpu_ms" -v w=$((webhooks + 3)) -v n="$count" \
    'BEGIN { printf "%.1f ms a webhook, %.1f µs a stream event", c / w, c * 1000 / w / n }') (the refreshes and heartbeats included)."
  echo
  echo "Per webhook: \`data/webhook-lines.txt\`. The proxy's own \`chatproxy_events_delay\` (arrival → event queued"
  echo "for every stream, the fan-out's writes after it) and counters: \`data/metrics-with.txt\`."
  echo
  echo "## Heap and threads"
  echo
  echo "Live heap after a full GC (\`jcmd GC.class_histogram\` total), live JVM threads (\`jvm_threads_live_threads\`:"
  echo "platform threads; virtual threads are not counted there), the OS's thread count and RSS of the proxy."
  echo
  echo "| state | live heap | JVM threads | OS threads | RSS | streams open |"
  echo "|---|---|---|---|---|---|"
  while IFS=$'\t' read -r label heap jt ot rss open; do
    echo "| $label | $(mib "$heap") | $jt | $ot | $(mib "$rss") | $open |"
  done <"$data/footprint.tsv"
  echo
  echo "Live heap per open stream: about $(per_stream without) bytes against \`without\` (Tomcat's per-connection"
  echo "processors and buffers of earlier streams kept for reuse), $(per_stream never) bytes against \`never\` (before any"
  echo "stream was opened). \`end\`: after every round's streams were opened and closed. Top classes: \`data/histogram-*.txt\`."
  echo
  echo "## A hit's throughput without and with the streams open"
  echo
  echo "wrk \`-t1 -c$connections -d${seconds}s\` on \`$hit_url\` (CPU 1), $rounds rounds; the order flips every round;"
  echo "\"with\": the client opened $count streams just before (idle but for the 15 s heartbeat) and closes them after."
  echo
  echo "| round | streams | req/s | p50 µs | p99 µs | non-2xx | errors | load (1 min) |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }' "$data/hits.tsv"
  echo
  echo "Median of the per-round ratios with/without: **$ratio**."
  echo
  echo "Closing: after the client closed its streams, the proxy counted none after (ms; it finds a closed stream"
  echo "when it next writes to it, the heartbeat at the latest):"
  echo
  echo '```'
  cat "$data/teardown.tsv"
  echo '```'
  echo
  echo "Command: \`bench/streams.sh\` (STREAMS_COUNT=$count STREAMS_WEBHOOKS=$webhooks STREAMS_GAP_MS=$gap_ms"
  echo "STREAMS_ROUNDS=$rounds STREAMS_SECONDS=$seconds STREAMS_CONNECTIONS=$connections BENCH_DELAY_MS=$delay_ms)."
} >"$out/RESULTS.md"
log "done in ${elapsed} s: $out/RESULTS.md"
