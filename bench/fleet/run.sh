#!/usr/bin/env bash
# Fleet-mode benchmark (issue 10): three replicas and one Redis, fleet mode off and on side by
# side in the same run, against the simulated postpress with a 20 ms delay:
#   1. upstream calls per key per TTL with load spread round robin over the three replicas;
#   2. local-hit throughput of one replica, fleet on vs off (wrk, alternating rounds);
#   3. latency of a shared hit (stored in Redis by replica A, asked of replica B) against a
#      local hit on B and a fleet-off miss;
#   4. latency of a miss, fleet on (lease + call + Redis write + publish) vs off.
# Usage (from anywhere; not part of CI):
#   bench/fleet/run.sh           about 5 minutes on a quiet 2-core machine
#   QUICK=1 bench/fleet/run.sh   smoke run, about 2-3 minutes: checks the harness, gives no verdict
# Writes bench/results/fleet/RESULTS.md and bench/results/fleet/data/.
# Six replicas run at once (three fleet off, three fleet on, one Redis for the latter), each
# started with -XX:ActiveProcessorCount=1 and, once ready, pinned to CPU 0 (all its threads);
# Redis, the simulator, wrk and the client run on CPU 1. Only the replicas of the scenario at hand
# get requests; the others stay idle. Every process it starts is stopped by PID on exit or Ctrl-C.
# Knobs (environment): BENCH_JDK (/usr/lib/jvm/temurin-25-jdk-amd64), BENCH_SKIP_BUILD (0),
# BENCH_FLEET_PORT_BASE (18500: replicas on +0..+51, simulator +90, Redis the first free of +95..+99),
# BENCH_DELAY_MS (20), BENCH_TTL (2s), BENCH_KEYS (20), BENCH_CONNS_PER_REPLICA (2),
# BENCH_PACE_MS (5), BENCH_SPREAD_SECONDS (10), BENCH_SPREAD_ROUNDS (2), BENCH_ROUNDS (5),
# BENCH_SECONDS (6), BENCH_CONNECTIONS (64), BENCH_WARMUP_SECONDS (3), BENCH_WARMUP_CYCLES (5: at most,
# warm-up stops once two runs in a row of each replica agree within 5%),
# BENCH_LATENCY_KEYS (500), BENCH_LATENCY_WARM (100), BENCH_REDIS_TIMEOUT (unset: as shipped,
# 100ms), BENCH_OUT (bench/results/fleet).
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$(pwd)

quick=${QUICK:-0}
if [[ $quick == 1 ]]; then
  spread_rounds=${BENCH_SPREAD_ROUNDS:-1} spread_seconds=${BENCH_SPREAD_SECONDS:-6} rounds=${BENCH_ROUNDS:-1}
  seconds=${BENCH_SECONDS:-3} warmup_seconds=${BENCH_WARMUP_SECONDS:-2} warmup_cycles=${BENCH_WARMUP_CYCLES:-1}
  latency_keys=${BENCH_LATENCY_KEYS:-100} latency_warm=${BENCH_LATENCY_WARM:-20}
else
  spread_rounds=${BENCH_SPREAD_ROUNDS:-2} spread_seconds=${BENCH_SPREAD_SECONDS:-10} rounds=${BENCH_ROUNDS:-5}
  seconds=${BENCH_SECONDS:-6} warmup_seconds=${BENCH_WARMUP_SECONDS:-3} warmup_cycles=${BENCH_WARMUP_CYCLES:-5}
  latency_keys=${BENCH_LATENCY_KEYS:-500} latency_warm=${BENCH_LATENCY_WARM:-100}
fi
java_home=${BENCH_JDK:-/usr/lib/jvm/temurin-25-jdk-amd64}
java=$java_home/bin/java
port_base=${BENCH_FLEET_PORT_BASE:-18500}
delay_ms=${BENCH_DELAY_MS:-20}
ttl=${BENCH_TTL:-2s}
keys=${BENCH_KEYS:-20}
conns_per_replica=${BENCH_CONNS_PER_REPLICA:-2}
pace_ms=${BENCH_PACE_MS:-5}
connections=${BENCH_CONNECTIONS:-64}
redis_timeout=${BENCH_REDIS_TIMEOUT:-}
spread_warm_s=$((${ttl%s} + 1))
sim_port=$((port_base + 90))
out=${BENCH_OUT:-$root/bench/results/fleet}
data=$out/data
work=$root/bench/target/fleet
logs=$work/logs
api_key=bench_not_a_secret
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
jar=$root/target/chat-proxy-0.1.0-SNAPSHOT.jar
stats_url=http://127.0.0.1:$sim_port/__simulator/stats
source bench/lib/log.sh
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

[[ $ttl =~ ^[0-9]+s$ ]] || die "BENCH_TTL must be whole seconds, such as 2s"
[[ -x $java ]] || die "no JDK at $java_home (set BENCH_JDK)"
for tool in wrk taskset curl redis-server redis-cli; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install wrk util-linux curl redis-server)"
done

# --- every process this script starts is in pids, and stopped on any exit ---------------------
pids=()
failed_starts=""
source bench/lib/cleanup.sh

wait_for() { # url, what, [seconds: 180], [pid that must stay alive]
  local tries=$((${3:-180} * 10))
  for _ in $(seq 1 "$tries"); do
    curl -sf -o /dev/null "$1" && return 0
    [[ -z ${4:-} ]] || kill -0 "$4" 2>/dev/null || die "$2 exited before answering on $1 (see its log in $logs)"
    sleep 0.1
  done
  die "$2 did not answer on $1"
}
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
field() { sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<"$1"; }
calls() { curl -sf "$stats_url" | grep -o '"calls":[0-9]*' | cut -d: -f2; }
redis_commands() { redis-cli -h 127.0.0.1 -p "$redis_port" info stats | tr -d '\r' | sed -n 's/^total_commands_processed://p'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# replicas: off1 off2 off3 (fleet mode off), on1 on2 on3 (fleet mode on, one Redis)
replicas=(off1 off2 off3 on1 on2 on3)
declare -A app_port mgmt_port pid_of
i=0
for name in "${replicas[@]}"; do
  app_port[$name]=$((port_base + 10 * i))
  mgmt_port[$name]=$((port_base + 10 * i + 1))
  i=$((i + 1))
done
base_url() { echo "http://127.0.0.1:${app_port[$1]}/attendees/$attendee/chats"; }
prometheus() { curl -sf "http://127.0.0.1:${mgmt_port[$1]}/actuator/prometheus"; }
metric() { # replica, line filter (ERE) -> sum of the matching samples
  prometheus "$1" | awk -v re="$2" '$0 !~ /^#/ && $0 ~ re { s += $NF } END { printf "%.0f\n", s }'
}
fleet_trouble() { # -> "fallbacks shared_errors" summed over the fleet-on replicas
  local name f=0 e=0
  for name in on1 on2 on3; do
    f=$((f + $(metric "$name" '^chatproxy_cache_shared_fallback_total')))
    e=$((e + $(metric "$name" '^chatproxy_cache_shared_total[{].*result="error"')))
  done
  echo "$f $e"
}

# --- build and start ------------------------------------------------------------------------
for name in "${replicas[@]}"; do
  { port_free "${app_port[$name]}" && port_free "${mgmt_port[$name]}"; } ||
    die "port ${app_port[$name]} or ${mgmt_port[$name]} is in use (set BENCH_FLEET_PORT_BASE)"
done
port_free "$sim_port" || die "port $sim_port is in use (set BENCH_FLEET_PORT_BASE)"
redis_port=
for p in $(seq $((port_base + 95)) $((port_base + 99))); do
  port_free "$p" && { redis_port=$p; break; }
done
[[ -n $redis_port ]] || die "no free port for Redis in $((port_base + 95))-$((port_base + 99))"

if [[ ${BENCH_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -d target/test-classes/dev/chatproxy/demo ]]; then
  log "building the jar and the simulated postpress"
  ./mvnw -q -B -DskipTests -Djacoco.skip=true package
  ./mvnw -q -B -Djacoco.skip=true test-compile
fi
rm -rf "$data" "$logs" "$work/client"
mkdir -p "$data" "$logs" "$work/client"
"$java_home/bin/javac" --release 17 -d "$work/client" bench/fleet/FleetClient.java bench/Client.java
client() { taskset -c 1 "$java" -cp "$work/client" FleetClient "$@"; }

machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
jdk_version=$("$java" -version 2>&1 | head -1 | tr -d '"')
load_before=$(loadavg)
uptime_before=$(uptime)
log "machine: $machine; load average: $load_before; JDK: $jdk_version"

log "redis-server on 127.0.0.1:$redis_port (CPU 1, no persistence)"
taskset -c 1 redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$logs/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
redis-cli -h 127.0.0.1 -p "$redis_port" ping | grep -q PONG || die "redis-server did not answer"
redis_version=$(redis-server --version | grep -oE 'v=[0-9.]+' | cut -d= -f2)

log "simulated postpress on 127.0.0.1:$sim_port (CPU 1, ${delay_ms} ms per call)"
taskset -c 1 "$java" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
  --port="$sim_port" --delay-ms="$delay_ms" --api-key="$api_key" >"$logs/simulator.log" 2>&1 &
pids+=($!)
wait_for "$stats_url" "the simulator" 60

start_replica() { # name
  local name=$1 fleet=(PROXY_CACHE_SHARED=none)
  [[ $name == on* ]] && fleet=(PROXY_CACHE_SHARED=redis SPRING_DATA_REDIS_URL="redis://127.0.0.1:$redis_port"
    ${redis_timeout:+PROXY_CACHE_REDIS_TIMEOUT="$redis_timeout"})
  env POSTPRESS_API_KEY="$api_key" POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="${app_port[$name]}" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
    MANAGEMENT_SERVER_PORT="${mgmt_port[$name]}" PROXY_CACHE_TTL="$ttl" \
    "${fleet[@]}" "$java" -XX:ActiveProcessorCount=1 -jar "$jar" >"$logs/$name.log" 2>&1 &
  pids+=($!)
  pid_of[$name]=$!
}
wait_ready() { # name
  local name=$1 health=http://127.0.0.1:${mgmt_port[$1]}/actuator/health attempt
  for attempt in 1 2 3; do
    for _ in $(seq 1 2400); do # 240 s
      curl -sf -o /dev/null "$health/readiness" && break 2
      kill -0 "${pid_of[$name]}" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "${pid_of[$name]}" 2>/dev/null && die "replica $name was not ready within 240 s"
    # a fleet replica that cannot reach Redis at start exits (see RESULTS.md); an orchestrator
    # would restart it, and so does this, twice at most
    [[ $name == on* && $attempt -lt 3 ]] ||
      die "replica $name exited before it was ready (see $logs/$name.log; on a busy machine, try BENCH_REDIS_TIMEOUT=1s)"
    failed_starts+="${failed_starts:+; }$name ($(grep -oE 'Caused by: io.lettuce[^:]*: [^(]*' "$logs/$name.log" | tail -1 | sed 's/^Caused by: //' || true))"
    log "  $name exited before it was ready: $(grep -oE 'Caused by: io.lettuce[^:]*: [^(]*' "$logs/$name.log" | tail -1 || true); starting it again"
    cp "$logs/$name.log" "$logs/$name-failed-$attempt.log"
    start_replica "$name"
  done
  if [[ $name == on* ]]; then # sharing once Redis answers and the replica hears the fleet's channels
    for _ in $(seq 1 300); do
      curl -s "$health" | grep -q '"sharedCache":{"details":{[^}]*"subscribed":true' && break
      sleep 0.2
    done
    curl -s "$health" | grep -q '"sharedCache":{"details":{[^}]*"subscribed":true' ||
      die "replica $name does not share through Redis"
  fi
  log "  $name ready on ${app_port[$name]} (management ${mgmt_port[$name]})"
}
# the fleet-on replicas start once the others are up: a cold replica's Redis handshake must fit in
# proxy.cache.redis-timeout, and a fleet replica that cannot connect at start does not start
log "starting six replicas (ttl $ttl, stale-while-revalidate as shipped): off1-3 fleet mode off, then on1-3 fleet mode on"
for name in off1 off2 off3; do start_replica "$name"; done
for name in off1 off2 off3; do wait_ready "$name"; done
for name in on1 on2 on3; do start_replica "$name"; done
for name in on1 on2 on3; do wait_ready "$name"; done
for name in "${replicas[@]}"; do
  taskset -a -p -c 0 "${pid_of[$name]}" >/dev/null
  # a JVM's first upstream call and first Redis script are slow: not what this is about
  for attempt in 1 2 3; do
    curl -sf -m 60 -o /dev/null "$(base_url "$name")?limit=2" && break
    ((attempt < 3)) || die "replica $name does not answer"
  done
done
log "all six replicas answer; pinned to CPU 0"
ready_s=$(($(date +%s) - started_at))
load_measure=$(loadavg)
: >"$data/spread.tsv"
: >"$data/throughput.tsv"
: >"$data/warmup.tsv"
: >"$data/latency.tsv"

# --- 1. upstream calls per key per TTL --------------------------------------------------------
ttl_ms=$((${ttl%s} * 1000))
load_spread=$(loadavg)
log "1. upstream calls per key per TTL: $keys keys, $conns_per_replica connections per replica, pace $pace_ms ms, ${spread_warm_s} s warm + ${spread_seconds} s window, $spread_rounds round(s) per mode"
for round in $(seq 1 "$spread_rounds"); do
  order=(off on)
  ((round % 2)) || order=(on off)
  for mode in "${order[@]}"; do
    urls="$(base_url "${mode}1"),$(base_url "${mode}2"),$(base_url "${mode}3")"
    [[ $mode == on ]] && day=$((round * 2 + 1)) || day=$((round * 2))
    trouble_before=$(fleet_trouble)
    line=$(client spread "urls=$urls" "conns=$conns_per_replica" "keys=$keys" limit=1 \
      "epoch=2031-01-$(printf '%02d' "$day")T00:00:00Z" "warm_s=$spread_warm_s" "seconds=$spread_seconds" \
      "pace_ms=$pace_ms" "stats=$stats_url" "ttl_ms=$ttl_ms" | grep '^RESULT') || line=""
    read -r f1 e1 <<<"$(fleet_trouble)"
    read -r f0 e0 <<<"$trouble_before"
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$round" "$((f1 - f0))" "$((e1 - e0))" "$(loadavg)" "$line" >>"$data/spread.tsv"
    log "  fleet $mode round $round: $(field "$line" upstream_calls) calls, $(field "$line" calls_per_key_per_ttl) per key per TTL; $(field "$line" cache); fleet fallbacks $((f1 - f0))"
  done
done

# --- 2. local-hit throughput, fleet on vs off -------------------------------------------------
wrk_fixed() { # url, seconds -> RESULT line
  taskset -c 1 wrk -t1 -c"$connections" -d"$2s" --timeout 10s -s bench/wrk/fixed.lua "$1" | grep '^RESULT'
}
hit_url() { echo "$(base_url "${1}1")?limit=1"; }
load_throughput=$(loadavg)
log "2. local-hit throughput of one replica (off1 vs on1), 1-item page, $connections connections: warm-up runs of ${warmup_seconds} s each until two in a row agree within 5% (at most $warmup_cycles), then $rounds round(s) of ${seconds} s"
declare -A last_rps=()
warmup_done=0
for cycle in $(seq 1 "$warmup_cycles"); do
  steady=1
  for mode in off on; do
    line=$(wrk_fixed "$(hit_url "$mode")" "$warmup_seconds") || line=""
    printf '%s\t%s\t%s\n' "$mode" "$cycle" "$line" >>"$data/warmup.tsv"
    log "  warm-up $cycle fleet $mode: $(field "$line" rps) req/s"
    awk -v a="${last_rps[$mode]:-0}" -v b="$(field "$line" rps)" 'BEGIN { exit !(a > 0 && b > 0 && b / a < 1.05 && a / b < 1.05) }' ||
      steady=0
    last_rps[$mode]=$(field "$line" rps)
  done
  warmup_done=$cycle
  ((steady)) && break
done
hz=$(getconf CLK_TCK)
for round in $(seq 1 "$rounds"); do
  order=(off on)
  ((round % 2)) || order=(on off)
  for mode in "${order[@]}"; do
    pid=${pid_of[${mode}1]}
    t0=$(cpu_ticks "$pid") r0=$(redis_commands) c0=$(calls)
    line=$(wrk_fixed "$(hit_url "$mode")" "$seconds") || line=""
    t1=$(cpu_ticks "$pid") r1=$(redis_commands) c1=$(calls)
    cpu=$(awk -v a="$t1" -v b="$t0" -v hz="$hz" -v n="$(field "$line" requests)" \
      'BEGIN { if (n > 0) printf "%.1f", (a - b) * 1e6 / hz / n; else print "nan" }')
    # minus the INFO command that read the second count
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$round" "$(field "$line" rps)" "$(field "$line" p50_us)" \
      "$(field "$line" p99_us)" "$(field "$line" non2xx)" "$(field "$line" errors)" "$cpu" "$((r1 - r0 - 1))" \
      "$((c1 - c0))" "$(field "$line" requests)" >>"$data/throughput.tsv"
    log "  round $round fleet $mode: $(field "$line" rps) req/s, p50 $(field "$line" p50_us) us, p99 $(field "$line" p99_us) us, CPU $cpu us/request, Redis commands $((r1 - r0 - 1)), upstream calls $((c1 - c0))"
  done
done

# --- 3 and 4. latency of a shared hit and of a miss ---------------------------------------------
load_latency=$(loadavg)
log "3-4. latency, 1 connection per replica: per page, miss on on1, shared hit then local hit on on2, miss then local hit on off1 ($latency_keys pages after $latency_warm unrecorded)"
for size in 1 100; do
  m0=$(metric on2 '^chatproxy_cache_shared_total[{].*result="hit"')
  g0=$(metric on2 '^cache_gets_total[{].*result="miss"')
  read -r f0 e0 <<<"$(fleet_trouble)"
  client sequence "steps=on_miss@$(base_url on1),on_shared@$(base_url on2),on_local@$(base_url on2),off_miss@$(base_url off1),off_local@$(base_url off1)" \
    "keys=$latency_keys" "warm=$latency_warm" "limit=$size" "epoch=2032-01-0$((size == 1 ? 1 : 2))T00:00:00Z" \
    "stats=$stats_url" "out=$data/latency-$size-raw.tsv" >"$data/latency-$size.txt" || true
  m1=$(metric on2 '^chatproxy_cache_shared_total[{].*result="hit"')
  g1=$(metric on2 '^cache_gets_total[{].*result="miss"')
  read -r f1 e1 <<<"$(fleet_trouble)"
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$size" "$((m1 - m0))" "$((g1 - g0))" "$((f1 - f0))" "$((e1 - e0))" \
    "$(grep '^RESULT' "$data/latency-$size.txt" || true)" >>"$data/latency.tsv"
  while read -r line; do log "  $size-item $line"; done <"$data/latency-$size.txt"
  log "  on2: shared hits +$((m1 - m0)), local misses +$((g1 - g0)); fleet fallbacks +$((f1 - f0))"
done
gzip -f "$data"/latency-*-raw.tsv

# --- the end -----------------------------------------------------------------------------------
for name in "${replicas[@]}"; do
  grep -E 'ERROR|WARN' "$logs/$name.log" | grep -v 'access' | tail -20 >"$data/warnings-$name.log" || true
done
load_after=$(loadavg)
elapsed=$(($(date +%s) - started_at))
declare -p run_date machine jdk_version java_home redis_version load_before load_measure load_spread load_throughput load_latency load_after uptime_before \
  elapsed ready_s failed_starts quick ttl keys conns_per_replica pace_ms spread_seconds spread_rounds spread_warm_s rounds seconds \
  connections warmup_seconds warmup_cycles warmup_done latency_keys latency_warm delay_ms redis_timeout >"$data/run.env"
bench/fleet/report.sh "$data" "$out"
log "done in ${elapsed} s: $out/RESULTS.md"
