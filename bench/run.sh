#!/usr/bin/env bash
# Load benchmark of chat-proxy (issue 7): hit path against a Spring MVC ceiling in the same
# JVM, miss overhead, coalescing, expiry under load and heap per cached page.
# Usage: bench/run.sh   (from the repository root or anywhere; about 7-9 minutes)
# Writes bench/results/RESULTS.md, bench/results/chart.png and bench/results/data/.
# Knobs (environment): BENCH_JAVA_HOME (default Temurin 25 if installed, else the default JDK),
# BENCH_ROUNDS (3), BENCH_SECONDS (10), BENCH_CONNECTIONS (64), BENCH_DELAY_MS (20),
# BENCH_WARMUP_SECONDS (4 per step), BENCH_WARMUP_MIN/MAX (3/8 cycles), BENCH_SKIP_BUILD (0),
# BENCH_PORT_BASE (18080: proxy, +1 management, +10 stand-in), BENCH_OUT (bench/results).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-64}
delay_ms=${BENCH_DELAY_MS:-20}
warmup_seconds=${BENCH_WARMUP_SECONDS:-4}
warmup_min=${BENCH_WARMUP_MIN:-3}
warmup_max=${BENCH_WARMUP_MAX:-8}
miss_seconds=${BENCH_MISS_SECONDS:-5}
expiry_seconds=${BENCH_EXPIRY_SECONDS:-9}
expiry_ttl=${BENCH_EXPIRY_TTL:-2s}
coalesce_delay_ms=200
pages=10000
port_base=${BENCH_PORT_BASE:-18080}
app_port=$port_base
management_port=$((port_base + 1))
sim_port=$((port_base + 10))
out=${BENCH_OUT:-$root/bench/results}
data=$out/data
work=$root/bench/target
logs=$work/logs
api_key=bench_not_a_secret
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
jar=$root/target/chat-proxy-0.1.0-SNAPSHOT.jar
if [[ -n ${BENCH_JAVA_HOME:-} ]]; then
  java_home=$BENCH_JAVA_HOME
elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  java_home=/usr/lib/jvm/temurin-25-jdk-amd64
else
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
java=$java_home/bin/java
started_at=$(date +%s)
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

log() { printf '[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" $(($(date +%s) - started_at)) "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# --- every process this script starts is in pids, and stopped on any exit -------------------
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop() { # stop one started process by pid and forget it
  local pid=$1 kept=()
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

wait_for() { # url, what; bounded to 60 s
  for _ in $(seq 1 300); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.2
  done
  die "$2 did not come up at $1"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

field() { # RESULT line, key -> value
  sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<"$1"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# --- tools and build ---------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v gnuplot >/dev/null || missing+=(gnuplot-nox)
  command -v taskset >/dev/null || missing+=(util-linux)
  command -v unzip >/dev/null || missing+=(unzip)
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    local sudo=""
    [[ $(id -u) == 0 ]] || sudo=sudo
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  if [[ ${BENCH_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -d target/test-classes/dev/chatproxy/demo ]]; then
    log "building the jar and the simulated postpress"
    ./mvnw -q -B -DskipTests package
    ./mvnw -q -B test-compile
  fi
  log "compiling the ceiling endpoint and the client with $java_home"
  rm -rf "${work:?}/classes" "${work:?}/client" "${work:?}/lib"
  mkdir -p "$work/classes" "$work/client" "$work/lib"
  unzip -q -o "$jar" 'BOOT-INF/lib/*' -d "$work/lib"
  "$java_home/bin/javac" --release 17 -nowarn -cp "$work/lib/BOOT-INF/lib/*" -d "$work/classes" \
    bench/src/main/java/dev/chatproxy/bench/CeilingController.java
  "$java_home/bin/javac" --release 17 -d "$work/client" bench/Client.java
}

# --- processes ---------------------------------------------------------------------------------
start_standin() {
  log "starting the stand-in (simulated postpress, ${delay_ms} ms) on CPU 1, port $sim_port"
  taskset -c 1 "$java" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
    --port="$sim_port" --delay-ms="$delay_ms" --api-key="$api_key" >"$logs/standin.log" 2>&1 &
  pids+=($!)
  standin_pid=$!
  wait_for "http://127.0.0.1:$sim_port/__simulator/stats" "the stand-in"
}

start_proxy() { # name, cache ttl
  log "starting the proxy ($1, ttl $2) on CPU 0, port $app_port; access log to $logs/proxy-$1.log"
  POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL=http://127.0.0.1:$sim_port/api/v1 \
    SERVER_PORT=$app_port MANAGEMENT_SERVER_PORT=$management_port \
    PROXY_CACHE_TTL=$2 PROXY_CACHE_MAX_ENTRIES=$((pages * 2)) \
    taskset -c 0 "$java" -Dloader.path="$work/classes" -Dloader.main=dev.chatproxy.ChatProxyApplication \
    -cp "$jar" org.springframework.boot.loader.launch.PropertiesLauncher >"$logs/proxy-$1.log" 2>&1 &
  pids+=($!)
  proxy_pid=$!
  wait_for "http://127.0.0.1:$management_port/actuator/health/readiness" "the proxy"
}

upstream_mode() { curl -sf -o /dev/null -X POST "http://127.0.0.1:$sim_port/__simulator/mode?$1"; }

# --- load --------------------------------------------------------------------------------------
proxy_url() { echo "http://127.0.0.1:$app_port/attendees/$attendee/chats?limit=$1"; }
ceiling_url() { echo "http://127.0.0.1:$app_port/bench/ceiling/$1"; }

wrk_fixed() { # url, seconds, connections -> RESULT line
  taskset -c 1 wrk -t1 -c"$3" -d"$2s" --timeout 10s -s bench/wrk/fixed.lua "$1" | grep '^RESULT'
}

wrk_unique() { # base url, path, limit, epoch seconds, seconds, [api key] -> RESULT line
  taskset -c 1 wrk -t1 -c1 -d"$5s" --timeout 10s -s bench/wrk/unique.lua "$1" -- "$2" "$3" "$4" ${6:+"$6"} |
    grep '^RESULT'
}

client() { taskset -c 1 "$java" -cp "$work/client" Client "$@"; }

record() { # scenario, round, RESULT line -> data/rounds.tsv
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$(field "$3" rps)" "$(field "$3" p50_us)" \
    "$(field "$3" p99_us)" "$(field "$3" non2xx)" "$(field "$3" errors)" >>"$data/rounds.tsv"
  log "  $1 round $2: $(field "$3" rps) req/s, p50 $(field "$3" p50_us) us, p99 $(field "$3" p99_us) us, non-2xx $(field "$3" non2xx)"
}

check_pages() {
  for size in 1 100; do
    curl -sf -o "$work/proxy-$size.json" "$(proxy_url "$size")"
    curl -sf -o "$work/ceiling-$size.json" "$(ceiling_url "$size")"
    cmp -s "$work/proxy-$size.json" "$work/ceiling-$size.json" ||
      die "the ceiling's $size-item page differs from the proxy's"
  done
  page1_bytes=$(stat -c %s "$work/proxy-1.json")
  page100_bytes=$(stat -c %s "$work/proxy-100.json")
  log "pages: 1 item $page1_bytes bytes, 100 items $page100_bytes bytes; proxy and ceiling bytes identical"
}

warm_up() {
  local previous=0 cycle total line
  for cycle in $(seq 1 "$warmup_max"); do
    total=0
    for target in "$(proxy_url 1)" "$(proxy_url 100)" "$(ceiling_url 1)" "$(ceiling_url 100)"; do
      line=$(wrk_fixed "$target" "$warmup_seconds" "$connections")
      total=$(awk -v a="$total" -v b="$(field "$line" rps)" 'BEGIN { print a + b }')
    done
    printf 'warmup\t%s\t%s\n' "$cycle" "$total" >>"$data/warmup.tsv"
    log "warm-up cycle $cycle: summed throughput $total req/s"
    if ((cycle >= warmup_min)) && awk -v t="$total" -v p="$previous" 'BEGIN { exit !(t < p * 1.03) }'; then
      log "throughput stopped rising (under 3% over the previous cycle)"
      warmup_cycles=$cycle
      return
    fi
    previous=$total
  done
  warmup_cycles=$warmup_max
  log "warm-up stopped at the cycle limit ($warmup_max)"
}

hit_rounds() {
  local round size
  for round in $(seq 1 "$rounds"); do
    for size in 1 100; do
      # alternate which goes first, so that neither side always runs on a warmer JVM
      if ((round % 2)); then
        record "hit-$size" "$round" "$(wrk_fixed "$(proxy_url "$size")" "$seconds" "$connections")"
        record "ceiling-$size" "$round" "$(wrk_fixed "$(ceiling_url "$size")" "$seconds" "$connections")"
      else
        record "ceiling-$size" "$round" "$(wrk_fixed "$(ceiling_url "$size")" "$seconds" "$connections")"
        record "hit-$size" "$round" "$(wrk_fixed "$(proxy_url "$size")" "$seconds" "$connections")"
      fi
    done
  done
}

metric_totals() { # -> "server_sum server_count client_sum client_count" of the chats route
  curl -sf "http://127.0.0.1:$management_port/actuator/prometheus" | awk '
    /^http_server_requests_seconds_(sum|count)\{/ && /uri="\/attendees\/\{attendee_id\}\/chats"/ {
      if ($1 ~ /_sum/) ss += $2; else sc += $2 }
    /^http_client_requests_seconds_(sum|count)\{/ && /chat_attendees/ {
      if ($1 ~ /_sum/) cs += $2; else cc += $2 }
    END { printf "%.6f %d %.6f %d\n", ss, sc, cs, cc }'
}

miss_rounds() {
  local round size epoch=1798761600 # 2027-01-01: after every chat, so each page is full
  log "  (a ${miss_seconds} s pass of each, not recorded, to warm the stand-in and the miss path)"
  for size in 1 100; do
    epoch=$((epoch + 86400))
    wrk_unique "http://127.0.0.1:$sim_port" "/api/v1/chat_attendees/$attendee/chats" "$size" "$epoch" \
      "$miss_seconds" "$api_key" >/dev/null
    epoch=$((epoch + 86400))
    wrk_unique "http://127.0.0.1:$app_port" "/attendees/$attendee/chats" "$size" "$epoch" "$miss_seconds" >/dev/null
  done
  metrics_before=$(metric_totals)
  for round in $(seq 1 "$rounds"); do
    for size in 1 100; do
      epoch=$((epoch + 86400))
      record "direct-$size" "$round" "$(wrk_unique "http://127.0.0.1:$sim_port" \
        "/api/v1/chat_attendees/$attendee/chats" "$size" "$epoch" "$miss_seconds" "$api_key")"
      epoch=$((epoch + 86400))
      record "miss-$size" "$round" "$(wrk_unique "http://127.0.0.1:$app_port" \
        "/attendees/$attendee/chats" "$size" "$epoch" "$miss_seconds")"
    done
  done
  local after
  after=$(metric_totals)
  # mean latency of the measured misses as the proxy's metrics saw them: the whole request
  # (server) and the upstream call inside it (client)
  awk -v b="$metrics_before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
    printf "misses\t%d\tserver_mean_ms=%.3f\tupstream_calls=%d\tupstream_mean_ms=%.3f\n", y[2] - x[2],
      (y[1] - x[1]) * 1000 / (y[2] - x[2]), y[4] - x[4], (y[3] - x[3]) * 1000 / (y[4] - x[4]) }' >"$data/miss-metrics.tsv"
  log "  as the proxy saw them: $(cat "$data/miss-metrics.tsv")"
}

coalesce_rounds() {
  local round line size
  upstream_mode "mode=slow&delay_ms=$((coalesce_delay_ms - delay_ms))"
  for size in 100 1; do
    curl -sf -o /dev/null "$(proxy_url "$size")" # the cached page of the control burst
    for round in $(seq 1 "$rounds"); do
      line=$(client coalesce n=100 "url=$(proxy_url "$size")&before=2029-0$((size == 1 ? 2 : 1))-0${round}T00:00:00.000Z" \
        "warm=$(proxy_url "$size")" "stats=http://127.0.0.1:$sim_port/__simulator/stats" | grep '^RESULT')
      printf 'coalesce-%s\t%s\t%s\n' "$size" "$round" "$line" >>"$data/coalesce.tsv"
      log "  coalesce $size-item round $round: $line"
    done
  done
  upstream_mode "mode=healthy"
  # the proxy's own view of the same requests: its access log lines, latency server-side
  grep 'collapsed' "$logs/proxy-main.log" >"$data/coalesce-access.log" || true
}

histogram_total() { # -> live heap bytes after a full GC
  "$java_home/bin/jcmd" "$proxy_pid" GC.class_histogram >"$logs/histogram-$1.txt"
  head -n 15 "$logs/histogram-$1.txt" >"$data/histogram-$1.txt"
  awk '$1 == "Total" { print $3 }' "$logs/histogram-$1.txt"
}

memory() {
  local before after line
  before=$(histogram_total before)
  line=$(client fill "base=http://127.0.0.1:$app_port/attendees/$attendee/chats" "n=$pages" concurrency=32 \
    limit=100 epoch=2030-01-01T00:00:00Z | grep '^RESULT')
  after=$(histogram_total after)
  printf 'memory\t%s\t%s\t%s\n' "$before" "$after" "$line" >>"$data/memory.tsv"
  log "  memory: live heap $before -> $after bytes; $line"
  # empty the cache again, so that the next scenarios do not run with a heap full of pages
  curl -sf -o /dev/null -X DELETE "http://127.0.0.1:$management_port/actuator/caches"
  "$java_home/bin/jcmd" "$proxy_pid" GC.run >/dev/null
}

expiry_rounds() {
  local round line
  log "warming the short-TTL proxy for ${warmup_seconds}x5 s on its key"
  for _ in 1 2 3 4 5; do wrk_fixed "$(proxy_url 100)" "$warmup_seconds" "$connections" >/dev/null; done
  for round in $(seq 1 "$rounds"); do
    client expiry "url=$(proxy_url 100)" "connections=$connections" "seconds=$expiry_seconds" \
      "stats=http://127.0.0.1:$sim_port/__simulator/stats" >"$data/expiry-$round.txt"
    line=$(grep '^RESULT' "$data/expiry-$round.txt")
    printf 'expiry\t%s\t%s\n' "$round" "$line" >>"$data/expiry.tsv"
    log "  expiry round $round: $line"
  done
}

# --- main --------------------------------------------------------------------------------------
for port in "$app_port" "$management_port" "$sim_port"; do
  port_free "$port" || die "port $port is in use (set BENCH_PORT_BASE)"
done
install_tools
build
rm -rf "$data" "$logs"
mkdir -p "$data" "$logs"
: >"$data/rounds.tsv"
machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
jdk=$("$java" -version 2>&1 | head -1)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $machine; JDK: $jdk; load average: $load_before"

start_standin
start_proxy main 10m
check_pages
log "warming up (cycles of 4 x ${warmup_seconds} s at $connections connections until throughput stops rising)"
warm_up
log "hit path against the ceiling: $rounds rounds of ${seconds} s at $connections connections"
hit_rounds
# memory first: its $pages misses also warm the miss path's code before it is measured
log "memory: $pages cached 100-item pages"
memory
log "miss overhead: $rounds rounds of ${miss_seconds} s at 1 connection, a new key per request"
miss_rounds
log "coalescing: 100 concurrent requests on a cold key, ${coalesce_delay_ms} ms upstream"
coalesce_rounds
stop "$proxy_pid"
start_proxy expiry "$expiry_ttl"
log "expiry under load: $connections connections on one key, ttl $expiry_ttl, $rounds rounds of ${expiry_seconds} s"
expiry_rounds
stop "$proxy_pid"
stop "$standin_pid"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started_at))
declare -p run_date machine jdk load_before load_after elapsed warmup_cycles page1_bytes page100_bytes rounds seconds \
  connections delay_ms miss_seconds expiry_seconds expiry_ttl pages coalesce_delay_ms >"$data/run.env"
bench/report.sh "$data" "$out"
log "done in ${elapsed} s: $out/RESULTS.md, $out/chart.png"
