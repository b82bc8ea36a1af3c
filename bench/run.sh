#!/usr/bin/env bash
# Load benchmark of chat-proxy (issues 7, 14 and 24): the proxy's hit path against references in
# their own processes, measured side by side in the same rounds (nginx proxy_cache, a plain
# Spring Boot MVC app answering precomputed bytes, Spring Cloud Gateway 5.0 with
# LocalResponseCache), on each JDK; then miss overhead, start-up, coalescing, expiry under load
# and heap per cached page.
# Usage: bench/run.sh            (from anywhere; about 35 minutes on a quiet 2-core machine, 18 with one JDK)
#        QUICK=1 bench/run.sh    (smoke run, about 5 minutes: 1 short round of everything)
# Writes bench/results/RESULTS.md, bench/results/chart.png and bench/results/data/.
# Knobs (environment): BENCH_JDKS (space-separated JDK homes; default JDK 17 and Temurin 25 where
# installed, the first also runs coalescing, expiry and memory), BENCH_ROUNDS (3), BENCH_SECONDS (6),
# BENCH_CONNECTIONS (64), BENCH_DELAY_MS (20), BENCH_WARMUP_SECONDS (3 per load),
# BENCH_WARMUP_CYCLES (12 at least, as issue 14's protocol asks; then more until the JVMs' summed
# throughput settles within 5%, at most BENCH_WARMUP_MAX_CYCLES, 18), BENCH_STARTS (2 timed start-ups per JDK and variant), BENCH_JFR (1: a
# JFR profile of the proxy's hit path on each JDK), BENCH_SKIP_BUILD (0), BENCH_PORT_BASE (18080),
# BENCH_OUT (bench/results), BENCH_OPEN_LOOP (1: after the hit rounds, the proxy's hits at a fixed
# arrival rate of half its saturated rate, Client.java's open loop, BENCH_OPEN_LOOP_SECONDS long, 10).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

quick=${QUICK:-0}
if [[ $quick == 1 ]]; then
  rounds=${BENCH_ROUNDS:-1} seconds=${BENCH_SECONDS:-3} warmup_seconds=${BENCH_WARMUP_SECONDS:-2}
  warmup_cycles=${BENCH_WARMUP_CYCLES:-1} miss_seconds=${BENCH_MISS_SECONDS:-2} expiry_seconds=${BENCH_EXPIRY_SECONDS:-5}
  pages=${BENCH_PAGES:-1000} starts=${BENCH_STARTS:-1}
else
  rounds=${BENCH_ROUNDS:-3} seconds=${BENCH_SECONDS:-6} warmup_seconds=${BENCH_WARMUP_SECONDS:-3}
  warmup_cycles=${BENCH_WARMUP_CYCLES:-12} miss_seconds=${BENCH_MISS_SECONDS:-3} expiry_seconds=${BENCH_EXPIRY_SECONDS:-8}
  pages=${BENCH_PAGES:-10000} starts=${BENCH_STARTS:-2}
fi
connections=${BENCH_CONNECTIONS:-64}
warmup_max_cycles=${BENCH_WARMUP_MAX_CYCLES:-$((warmup_cycles + 6))}
miss_warmup_max_cycles=${BENCH_MISS_WARMUP_MAX_CYCLES:-$([[ $quick == 1 ]] && echo 4 || echo 24)}
delay_ms=${BENCH_DELAY_MS:-20}
expiry_ttl=${BENCH_EXPIRY_TTL:-2s}
jfr=${BENCH_JFR:-1}
open_loop=${BENCH_OPEN_LOOP:-1}
open_loop_seconds=${BENCH_OPEN_LOOP_SECONDS:-$([[ $quick == 1 ]] && echo 3 || echo 10)}
coalesce_delay_ms=200
port_base=${BENCH_PORT_BASE:-18080}
app_port=$port_base
management_port=$((port_base + 1))
ceiling_port=$((port_base + 2))
gateway_port=$((port_base + 3))
nginx_port=$((port_base + 4))
quiet_port=$((port_base + 5))
quiet_management_port=$((port_base + 6))
sim_port=$((port_base + 10))
out=${BENCH_OUT:-$root/bench/results}
data=$out/data
work=$root/bench/target
logs=$work/logs
api_key=bench_not_a_secret
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
jar=$root/target/chat-proxy-0.1.0-SNAPSHOT.jar
gateway_jar=$root/bench/gateway/target/bench-gateway.jar
if [[ -n ${BENCH_JDKS:-} ]]; then
  read -r -a jdks <<<"$BENCH_JDKS"
else
  jdks=()
  for home in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
    [[ -x $home/bin/java ]] && jdks+=("$home")
  done
  ((${#jdks[@]})) || jdks=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
fi
# the stand-in, wrk's helpers and the Java client run on the newest JDK, whatever is measured
tool_home=${jdks[${#jdks[@]} - 1]}
[[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]] && tool_home=/usr/lib/jvm/temurin-25-jdk-amd64
tool_java=$tool_home/bin/java
source bench/lib/log.sh
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- every process this script starts is in pids, and stopped on any exit -------------------
pids=()
source bench/lib/cleanup.sh

wait_for() { # url, what; bounded to 120 s
  for _ in $(seq 1 1200); do
    curl -sf -o /dev/null "$1" && return 0
    sleep 0.1
  done
  die "$2 did not come up at $1"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

field() { # RESULT line, key -> value
  sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<"$1"
}

now_ms() { date +%s%3N; }

# --- tools and build ---------------------------------------------------------------------------
install_tools() {
  local missing=()
  command -v wrk >/dev/null || missing+=(wrk)
  command -v nginx >/dev/null || missing+=(nginx-light)
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
    ./mvnw -q -B -DskipTests -Djacoco.skip=true package
    ./mvnw -q -B -Djacoco.skip=true test-compile
  fi
  gateway_skipped=""
  if [[ ${BENCH_SKIP_BUILD:-0} != 1 || ! -f $gateway_jar ]]; then
    log "building the Spring Cloud Gateway reference (bench/gateway, Boot 4.0 + Gateway 5.0)"
    if ! ./mvnw -q -B -f bench/gateway/pom.xml -DskipTests package >"$work/gateway-build.log" 2>&1; then
      gateway_skipped="its build failed (bench/target/gateway-build.log: $(grep -m1 -E 'ERROR|Could not' "$work/gateway-build.log" | cut -c1-200))"
      log "Spring Cloud Gateway skipped: $gateway_skipped"
    fi
  fi
  log "compiling the ceiling application and the client"
  rm -rf "${work:?}/classes" "${work:?}/client" "${work:?}/lib" "${work:?}/extracted"
  mkdir -p "$work/classes" "$work/client" "$work/lib"
  unzip -q -o "$jar" 'BOOT-INF/lib/*' -d "$work/lib"
  "$tool_home/bin/javac" --release 17 -nowarn -cp "$work/lib/BOOT-INF/lib/*" -d "$work/classes" \
    bench/src/main/java/dev/chatproxy/bench/CeilingApplication.java
  "$tool_home/bin/javac" --release 17 -d "$work/client" bench/Client.java
  # the jar extracted as Spring Boot recommends for CDS / the AOT cache (start-up section)
  "$tool_java" -Djarmode=tools -jar "$jar" extract --destination "$work/extracted" >/dev/null
}

# --- processes ---------------------------------------------------------------------------------
start_standin() {
  log "starting the stand-in (simulated postpress, ${delay_ms} ms) on CPU 1, port $sim_port"
  taskset -c 1 "$tool_java" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
    --port="$sim_port" --delay-ms="$delay_ms" --api-key="$api_key" >"$logs/standin.log" 2>&1 &
  pids+=($!)
  standin_pid=$!
  wait_for "http://127.0.0.1:$sim_port/__simulator/stats" "the stand-in"
}

proxy_env() { # ttl -> env assignments for the proxy
  echo "POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL=http://127.0.0.1:$sim_port/api/v1 SERVER_PORT=$app_port" \
    "SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_PORT=$management_port PROXY_CACHE_TTL=$1 PROXY_CACHE_MAX_ENTRIES=$((pages * 2))"
}

start_proxy() { # name, cache ttl, [extra JVM options...]; the jar as shipped, pinned to CPU 0
  local name=$1 ttl=$2
  shift 2
  log "starting the proxy ($name, ttl $ttl) on CPU 0, port $app_port; log to $logs/proxy-$name.log"
  local t0
  t0=$(now_ms)
  # deeper JFR stacks than the default 64, so that the profile reaches the request's root frames
  env $(proxy_env "$ttl") taskset -c 0 "$java" -XX:FlightRecorderOptions:stackdepth=256 "$@" -jar "$jar" \
    >"$logs/proxy-$name.log" 2>&1 &
  pids+=($!)
  proxy_pid=$!
  wait_for "http://127.0.0.1:$management_port/actuator/health/readiness" "the proxy"
  proxy_ready_ms=$(($(now_ms) - t0))
}

start_quiet_proxy() { # the same jar with the access log off, for the access log's own cost
  log "starting a second proxy with the access log off (dev.chatproxy.access at WARN) on CPU 0, port $quiet_port"
  env $(proxy_env 10m) SERVER_PORT=$quiet_port MANAGEMENT_SERVER_PORT=$quiet_management_port \
    LOGGING_LEVEL_DEV_CHATPROXY_ACCESS=WARN taskset -c 0 "$java" -jar "$jar" >"$logs/quiet-$tag.log" 2>&1 &
  pids+=($!)
  quiet_pid=$!
  wait_for "http://127.0.0.1:$quiet_management_port/actuator/health/readiness" "the proxy without access log"
}

start_ceiling() {
  log "starting the ceiling (plain Spring Boot MVC, own JVM) on CPU 0, port $ceiling_port"
  taskset -c 0 "$java" -cp "$work/classes:$work/lib/BOOT-INF/lib/*" dev.chatproxy.bench.CeilingApplication \
    --server.port="$ceiling_port" --server.address=127.0.0.1 --postpress.base-url="http://127.0.0.1:$sim_port/api/v1" \
    --postpress.api-key="$api_key" >"$logs/ceiling-$tag.log" 2>&1 &
  pids+=($!)
  ceiling_pid=$!
  wait_for "$(ceiling_url 1)" "the ceiling"
}

start_gateway() {
  [[ -z $gateway_skipped ]] || return 0
  log "starting Spring Cloud Gateway (LocalResponseCache) on CPU 0, port $gateway_port"
  taskset -c 0 "$java" -jar "$gateway_jar" --server.port="$gateway_port" --server.address=127.0.0.1 \
    --bench.upstream="http://127.0.0.1:$sim_port" --bench.api-key="$api_key" >"$logs/gateway-$tag.log" 2>&1 &
  pids+=($!)
  gateway_pid=$!
  wait_for "$(gateway_url 1)" "Spring Cloud Gateway"
}

start_nginx() {
  local dir=$work/nginx user=()
  rm -rf "$dir"
  mkdir -p "$dir"
  sed -e "s#@WORK@#$dir#g" -e "s#@PORT@#$nginx_port#" -e "s#@UPSTREAM@#127.0.0.1:$sim_port#" \
    -e "s#@API_KEY@#$api_key#" bench/nginx.conf >"$dir/nginx.conf"
  [[ $(id -u) != 0 ]] || user=(-g "user root;")
  log "starting nginx (1 worker, proxy_cache) on CPU 0, port $nginx_port"
  taskset -c 0 nginx -p "$dir" -c "$dir/nginx.conf" "${user[@]}" >"$logs/nginx.log" 2>&1 &
  pids+=($!)
  nginx_pid=$!
  wait_for "$(nginx_url 1)" "nginx"
}

upstream_mode() { curl -sf -o /dev/null -X POST "http://127.0.0.1:$sim_port/__simulator/mode?$1"; }

# --- load --------------------------------------------------------------------------------------
upstream_path="/api/v1/chat_attendees/$attendee/chats"
proxy_url() { echo "http://127.0.0.1:$app_port/attendees/$attendee/chats?limit=$1"; }
ceiling_url() { echo "http://127.0.0.1:$ceiling_port/bench/ceiling/$1"; }
gateway_url() { echo "http://127.0.0.1:$gateway_port$upstream_path?limit=$1"; }
nginx_url() { echo "http://127.0.0.1:$nginx_port$upstream_path?limit=$1"; }
quiet_url() { echo "http://127.0.0.1:$quiet_port/attendees/$attendee/chats?limit=$1"; }
target_url() { "$1_url" "$2"; }

wrk_fixed() { # url, seconds, connections -> RESULT line
  taskset -c 1 wrk -t1 -c"$3" -d"$2s" --timeout 10s -s bench/wrk/fixed.lua "$1" | grep '^RESULT'
}

wrk_unique() { # base url, path, limit, epoch seconds, seconds, [api key] -> RESULT line (connections=N: not 1)
  taskset -c 1 wrk -t1 -c"${connections_unique:-1}" -d"$5s" --timeout 10s -s bench/wrk/unique.lua "$1" -- "$2" "$3" "$4" ${6:+"$6"} |
    grep '^RESULT'
}

client() { taskset -c 1 "$tool_java" -cp "$work/client" Client "$@"; }

record() { # scenario, round, RESULT line, [CPU us per request] -> data/rounds.tsv (first column: the JDK tag)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$1" "$2" "$(field "$3" rps)" "$(field "$3" p50_us)" \
    "$(field "$3" p99_us)" "$(field "$3" non2xx)" "$(field "$3" errors)" "${4:-}" >>"$data/rounds.tsv"
  log "  [$tag] $1 round $2: $(field "$3" rps) req/s, p50 $(field "$3" p50_us) us, p99 $(field "$3" p99_us) us, non-2xx $(field "$3" non2xx)${4:+, CPU $4 us/request}"
}

cpu_ticks() { # pids... -> user+system clock ticks of these processes and their children threads
  local pid total=0
  for pid in "$@"; do
    total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

target_pids() { # target -> the pids whose CPU time is the target's (nginx: master and worker)
  case $1 in
    proxy) echo "$proxy_pid" ;;
    quiet) echo "$quiet_pid" ;;
    ceiling) echo "$ceiling_pid" ;;
    gateway) echo "$gateway_pid" ;;
    nginx) echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true) ;;
  esac
}

measure() { # target, size, round: one wrk run, recorded with the target's CPU time per request
  local before after line pids hz
  hz=$(getconf CLK_TCK)
  read -r -a pids <<<"$(target_pids "$1")"
  before=$(cpu_ticks "${pids[@]}")
  line=$(wrk_fixed "$(target_url "$1" "$2")" "$seconds" "$connections")
  after=$(cpu_ticks "${pids[@]}")
  record "$1-$2" "$3" "$line" "$(awk -v a="$after" -v b="$before" -v hz="$hz" -v n="$(field "$line" requests)" \
    'BEGIN { if (n > 0) printf "%.1f", (a - b) * 1e6 / hz / n }')"
}

check_pages() {
  local target size
  for size in 1 100; do
    curl -sf -o "$work/proxy-$size.json" "$(proxy_url "$size")"
    for target in "${targets[@]}"; do
      curl -sf -o "$work/$target-$size.json" "$(target_url "$target" "$size")"
      cmp -s "$work/proxy-$size.json" "$work/$target-$size.json" ||
        die "$target's $size-item page differs from the proxy's"
    done
  done
  page1_bytes=$(stat -c %s "$work/proxy-1.json")
  page100_bytes=$(stat -c %s "$work/proxy-100.json")
  log "pages: 1 item $page1_bytes bytes, 100 items $page100_bytes bytes; identical from ${targets[*]}"
}

warm_up() { # at least warmup_cycles cycles, then on until the summed throughput settles (within 5%)
  local cycle=0 target size total=0 previous line
  while :; do
    cycle=$((cycle + 1)) previous=$total total=0
    for target in "${targets[@]}"; do
      [[ $target == nginx ]] && continue
      for size in 1 100; do
        line=$(wrk_fixed "$(target_url "$target" "$size")" "$warmup_seconds" "$connections")
        total=$(awk -v a="$total" -v b="$(field "$line" rps)" 'BEGIN { print a + b }')
      done
    done
    printf '%s\twarmup\t%s\t%s\n' "$tag" "$cycle" "$total" >>"$data/warmup.tsv"
    log "[$tag] warm-up cycle $cycle: summed throughput of the JVMs $total req/s"
    ((cycle >= warmup_cycles)) || continue
    ((cycle < warmup_max_cycles)) || break
    awk -v a="$total" -v b="$previous" 'BEGIN { exit !(b > 0 && a < b * 1.05) }' && break
  done
}

hit_rounds() {
  local round size i n=${#targets[@]} target
  for round in $(seq 1 "$rounds"); do
    for size in 1 100; do
      # rotate the order every round, so that no target always runs first or last
      for i in $(seq 0 $((n - 1))); do
        target=${targets[$(((i + round) % n))]}
        measure "$target" "$size" "$round"
      done
    done
  done
}

open_loop_rounds() { # the proxy's hits at half its saturated rate, open loop -> data/open-loop.tsv
  [[ $open_loop == 1 ]] || return 0
  local round size saturated rate line
  for size in 1 100; do
    saturated=$(awk -F'\t' -v t="$tag" -v s="proxy-$size" '$1 == t && $2 == s { print $4 }' "$data/rounds.tsv" |
      sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
    [[ -n $saturated ]] || { log "[$tag] open loop $size: no saturated rate measured, missed"; continue; }
    rate=$(awk -v r="$saturated" 'BEGIN { printf "%.0f", r / 2 }')
    for round in $(seq 1 "$rounds"); do
      line=$(client rate url="$(proxy_url "$size")" rate="$rate" seconds="$open_loop_seconds" \
        connections="$connections" | grep '^RESULT') || { log "[$tag] open loop $size round $round: missed"; continue; }
      printf '%s\topen-loop-%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tag" "$size" "$round" \
        "$(field "$line" target_rps)" "$(field "$line" rps)" "$(field "$line" p50_us)" "$(field "$line" p99_us)" \
        "$(field "$line" p999_us)" "$(field "$line" max_us)" "$(field "$line" late)" "$(field "$line" non2xx)" \
        "$(field "$line" errors)" >>"$data/open-loop.tsv"
      log "  [$tag] open loop $size items round $round at $rate req/s (half of $saturated): p50 $(field "$line" p50_us) us, p99 $(field "$line" p99_us) us, p99.9 $(field "$line" p999_us) us, late $(field "$line" late), non-200 $(field "$line" non2xx)"
    done
  done
}

profile_hits() { # a JFR recording of the proxy under the 1-item hit load -> hot methods, text
  [[ $jfr == 1 ]] || return 0
  local file=$work/hits-$tag.jfr
  log "[$tag] profiling the proxy's 1-item hit path with JFR (${seconds} s under load)"
  "$java_home/bin/jcmd" "$proxy_pid" JFR.start name=bench settings=profile filename="$file" >/dev/null
  wrk_fixed "$(proxy_url 1)" "$seconds" "$connections" >/dev/null
  "$java_home/bin/jcmd" "$proxy_pid" JFR.stop name=bench >/dev/null
  bench/profile.sh "$file" "$data/profile-hits-$tag.txt" "$tool_home" || log "rendering the profile failed"
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
  local round size epoch=$((1798761600 + ${#tag} * 40000000)) # after every chat, so each page is full
  # misses run far more code than hits (WebClient, Reactor Netty, Resilience4j, validation): a few
  # hundred leave it to the interpreter and C1, and C2 compiling it costs a core several ms per miss;
  # so warm the miss path at 16 connections until its throughput settles, as a busy proxy's would be
  local cycle=0 line rps=0 previous
  while :; do
    cycle=$((cycle + 1)) previous=$rps
    for size in 1 100; do
      epoch=$((epoch + 86400))
      connections_unique=16 wrk_unique "http://127.0.0.1:$sim_port" "$upstream_path" "$size" "$epoch" 3 "$api_key" >/dev/null
      epoch=$((epoch + 86400))
      line=$(connections_unique=16 wrk_unique "http://127.0.0.1:$app_port" "/attendees/$attendee/chats" "$size" "$epoch" 3)
      [[ $size == 1 ]] && rps=$(field "$line" rps)
    done
    log "  [$tag] miss warm-up cycle $cycle (16 connections, 3 s a page size): $rps misses/s, 1-item"
    ((cycle >= 4)) || continue
    ((cycle < miss_warmup_max_cycles)) || break
    awk -v a="$rps" -v b="$previous" 'BEGIN { exit !(b > 0 && a < b * 1.05) }' && break
  done
  printf '%s\tmiss-warmup\t%s\t%s\n' "$tag" "$cycle" "$rps" >>"$data/warmup.tsv"
  metrics_before=$(metric_totals)
  for round in $(seq 1 "$rounds"); do
    for size in 1 100; do
      epoch=$((epoch + 86400))
      record "direct-$size" "$round" "$(wrk_unique "http://127.0.0.1:$sim_port" "$upstream_path" "$size" "$epoch" \
        "$miss_seconds" "$api_key")"
      epoch=$((epoch + 86400))
      record "miss-$size" "$round" "$(wrk_unique "http://127.0.0.1:$app_port" \
        "/attendees/$attendee/chats" "$size" "$epoch" "$miss_seconds")"
    done
  done
  local after
  after=$(metric_totals)
  # mean latency of the measured misses as the proxy's metrics saw them: the whole request
  # (server) and the upstream call inside it (client)
  awk -v t="$tag" -v b="$metrics_before" -v a="$after" 'BEGIN { split(b, x, " "); split(a, y, " ");
    if (y[2] - x[2] <= 0 || y[4] - x[4] <= 0) { printf "%s\tmisses\t0\n", t; exit }
    printf "%s\tmisses\t%d\tserver_mean_ms=%.3f\tupstream_calls=%d\tupstream_mean_ms=%.3f\n", t, y[2] - x[2],
      (y[1] - x[1]) * 1000 / (y[2] - x[2]), y[4] - x[4], (y[3] - x[3]) * 1000 / (y[4] - x[4]) }' >>"$data/miss-metrics.tsv"
  log "  as the proxy saw them: $(tail -1 "$data/miss-metrics.tsv")"
}

coalesce_rounds() {
  local round line size
  upstream_mode "mode=slow&delay_ms=$((coalesce_delay_ms - delay_ms))"
  for size in 100 1; do
    curl -sf -o /dev/null "$(proxy_url "$size")" # the cached page of the control burst
    for round in $(seq 1 "$rounds"); do
      line=$(client coalesce n=100 "url=$(proxy_url "$size")&before=2029-0$((size == 1 ? 2 : 1))-0${round}T00:00:00.000Z" \
        "warm=$(proxy_url "$size")" "stats=http://127.0.0.1:$sim_port/__simulator/stats" | grep '^RESULT') || line=""
      printf 'coalesce-%s\t%s\t%s\n' "$size" "$round" "$line" >>"$data/coalesce.tsv"
      log "  coalesce $size-item round $round: $line"
    done
  done
  upstream_mode "mode=healthy"
  # the proxy's own view of the same requests: its access log lines, latency server-side
  grep 'collapsed' "$logs/proxy-$tag.log" >"$data/coalesce-access.log" || true
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
    limit=100 epoch=2030-01-01T00:00:00Z | grep '^RESULT') || line=""
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
    # expiries found from the answers (the first stale-while-revalidate copy after fresh hits), the
    # upstream calls from the stand-in's count polled meanwhile (Client.java, mode expiry)
    client expiry "url=$(proxy_url 100)" "connections=$connections" "seconds=$expiry_seconds" "ttl=$expiry_ttl" \
      "stats=http://127.0.0.1:$sim_port/__simulator/stats" >"$data/expiry-$round.txt" || true
    line=$(grep '^RESULT' "$data/expiry-$round.txt") || line=""
    printf 'expiry\t%s\t%s\n' "$round" "$line" >>"$data/expiry.tsv"
    log "  expiry round $round: $line"
  done
}

time_start() { # variant, run, readiness URL, directory, command...: launch to the first 200 of the URL, pinned to CPU 0
  local variant=$1 i=$2 url=$3 dir=$4 t0 pid ready_ms cpu_s
  shift 4
  t0=$(now_ms)
  (cd "$dir" && exec taskset -c 0 "$@" >"$logs/start-$tag-$variant-$i.log" 2>&1) &
  pid=$!
  pids+=("$pid")
  wait_for "$url" "$variant (start-up $i)"
  ready_ms=$(($(now_ms) - t0))
  # CPU seconds the JVM used until ready: what the start takes on a core of its own, even on a busy machine
  cpu_s=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat")
  printf '%s\tstartup-%s\t%s\t%s\t%s\t%s\n' "$tag" "$variant" "$i" "$ready_ms" \
    "$(grep -oE 'Started [A-Za-z]+ in [0-9.]+ seconds' "$logs/start-$tag-$variant-$i.log" | grep -oE '[0-9.]+' | head -1)" \
    "$cpu_s" >>"$data/startup.tsv"
  log "  [$tag] start-up $variant $i: $ready_ms ms to ready"
  stop "$pid"
}

startup() { # start-to-ready pinned to one core: the references, the jar as shipped, the image's way
  local i variant options=() cache readiness="http://127.0.0.1:$management_port/actuator/health/readiness"
  for i in $(seq 1 "$starts"); do
    # the plain Spring Boot MVC application (the ceiling) and the gateway: launch to their first page
    time_start mvc "$i" "$(ceiling_url 1)" "$root" "$java" -cp "$work/classes:$work/lib/BOOT-INF/lib/*" \
      dev.chatproxy.bench.CeilingApplication --server.port="$ceiling_port" --server.address=127.0.0.1 \
      --postpress.base-url="http://127.0.0.1:$sim_port/api/v1" --postpress.api-key="$api_key"
    [[ -n $gateway_skipped ]] || time_start gateway "$i" "$(gateway_url 1)" "$root" "$java" -jar "$gateway_jar" \
      --server.port="$gateway_port" --server.address=127.0.0.1 --bench.upstream="http://127.0.0.1:$sim_port" \
      --bench.api-key="$api_key"
    # the jar as `java -jar` runs it
    time_start jar "$i" "$readiness" "$root" env $(proxy_env 30s) "$java" -jar "$jar"
  done
  for variant in extracted cached; do
    options=()
    if [[ $variant == cached ]]; then
      if [[ $jdk_major -ge 25 ]]; then
        cache=$work/extracted/app-$tag.aot
        # JDK 25 (JEP 514): one training run that exits after the context refreshed writes the AOT cache
        [[ -f $cache ]] || (cd "$work/extracted" && env $(proxy_env 30s) taskset -c 0 "$java" \
          -XX:AOTCacheOutput="$cache" -Dspring.context.exit=onRefresh -jar chat-proxy-0.1.0-SNAPSHOT.jar \
          >"$logs/training-$tag.log" 2>&1) || { log "AOT cache training failed"; continue; }
        options=(-XX:AOTCache="$cache")
      else
        cache=$work/extracted/app-$tag.jsa
        # AppCDS: the classes loaded until the context refreshed, dumped at exit
        [[ -f $cache ]] || (cd "$work/extracted" && env $(proxy_env 30s) taskset -c 0 "$java" \
          -XX:ArchiveClassesAtExit="$cache" -Dspring.context.exit=onRefresh -jar chat-proxy-0.1.0-SNAPSHOT.jar \
          >"$logs/training-$tag.log" 2>&1) || { log "CDS training failed"; continue; }
        options=(-XX:SharedArchiveFile="$cache")
      fi
    fi
    # the jar extracted as the container image runs it, with the class cache for "cached"
    for i in $(seq 1 "$starts"); do
      time_start "$variant" "$i" "$readiness" "$work/extracted" env $(proxy_env 30s) "$java" "${options[@]}" \
        -jar chat-proxy-0.1.0-SNAPSHOT.jar
    done
  done
}

# --- main --------------------------------------------------------------------------------------
for port in "$app_port" "$management_port" "$quiet_port" "$quiet_management_port" "$ceiling_port" "$gateway_port" "$nginx_port" "$sim_port"; do
  port_free "$port" || die "port $port is in use (set BENCH_PORT_BASE)"
done
mkdir -p "$work"
install_tools
build
rm -rf "$data" "$logs"
mkdir -p "$data" "$logs"
: >"$data/rounds.tsv"
: >"$data/open-loop.tsv"
: >"$data/startup.tsv"
: >"$data/coalesce.tsv"
: >"$data/expiry.tsv"
: >"$data/miss-metrics.tsv"
machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
uptime_before=$(uptime)
log "machine: $machine; load average: $load_before; JDKs: ${jdks[*]}"

start_standin
start_nginx
jdk_list=""
first=1
for java_home in "${jdks[@]}"; do
  java=$java_home/bin/java
  jdk_major=$("$java" -XshowSettings:properties -version 2>&1 | sed -nE 's/^ *java.specification.version = ([0-9]+).*/\1/p')
  tag=jdk$jdk_major
  jdk_list+="$tag=$("$java" -version 2>&1 | head -1 | tr -d '"'); "
  log "=== $tag: $java_home"
  startup
  start_proxy "$tag" 10m
  printf '%s\tstartup-bench\t1\t%s\t\n' "$tag" "$proxy_ready_ms" >>"$data/startup.tsv"
  start_quiet_proxy
  start_ceiling
  start_gateway
  targets=(proxy quiet ceiling nginx)
  [[ -n $gateway_skipped ]] || targets+=(gateway)
  check_pages
  log "[$tag] warming up: $warmup_cycles to $warmup_max_cycles cycles of ${warmup_seconds} s per JVM target and page"
  warm_up
  log "[$tag] hit path: $rounds rounds of ${seconds} s at $connections connections, targets ${targets[*]}"
  hit_rounds
  if [[ $open_loop == 1 ]]; then
    log "[$tag] open loop: the proxy's hits at half its saturated rate, $rounds rounds of ${open_loop_seconds} s per page"
  fi
  open_loop_rounds
  profile_hits
  stop "$ceiling_pid"
  stop "$quiet_pid"
  [[ -n $gateway_skipped ]] || stop "$gateway_pid"
  if ((first)); then
    # memory first: its misses also warm the miss path's code before it is measured
    log "[$tag] memory: $pages cached 100-item pages"
    memory
  fi
  log "[$tag] miss overhead: $rounds rounds of ${miss_seconds} s at 1 connection, a new key per request"
  miss_rounds
  if ((first)); then
    log "[$tag] coalescing: 100 concurrent requests on a cold key, ${coalesce_delay_ms} ms upstream"
    coalesce_rounds
    stop "$proxy_pid"
    start_proxy "$tag-expiry" "$expiry_ttl"
    log "[$tag] expiry under load: $connections connections on one key, ttl $expiry_ttl, $rounds rounds of ${expiry_seconds} s"
    expiry_rounds
  fi
  stop "$proxy_pid"
  first=0
done
stop "$nginx_pid"
stop "$standin_pid"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started_at))
declare -p run_date machine jdk_list load_before load_after uptime_before elapsed warmup_cycles warmup_max_cycles miss_warmup_max_cycles warmup_seconds \
  page1_bytes page100_bytes rounds seconds connections delay_ms miss_seconds expiry_seconds expiry_ttl pages \
  coalesce_delay_ms gateway_skipped quick starts >"$data/run.env"
bench/report.sh "$data" "$out"
log "done in ${elapsed} s: $out/RESULTS.md, $out/chart.png"
