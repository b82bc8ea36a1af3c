#!/usr/bin/env bash
# Fleet soak (issue 21, point 3): N chat-proxy replicas (the built jar), one Redis, the simulated
# postpress, steady load from bench/fleet/FleetClient.java (soak mode), and a fault schedule:
#   steady-first, postpress-503, recovery, postpress-slow (2 s), postpress-429, steady,
#   redis-hung (SIGSTOP), redis-restarted-empty (SIGKILL, started again with nothing in it),
#   webhook-storm, rolling-restart (one replica out of rotation, stopped, started, back),
#   steady-last.
# Every page under load is cached before the first fault. Per phase it reports requests, failed
# requests, p50/p99, upstream calls, each replica's heap after a full GC and RSS, and the keys in
# Redis, and checks the goals; it exits 1 when one is missed:
#   1. 0 failed requests (every page asked for was cached before the faults);
#   2. heap after GC flat: <= 10% growth per replica from steady-first to steady-last (the rolled
#      replica is a new JVM: reported, not judged);
#   3. keys in Redis bounded by what the cache holds: never more than at the end of steady-first
#      (pages, their index entries, the budget) plus SOAK_KEY_SLACK (leases, the pause);
#   4. upstream calls <= one per key per TTL plus retries: per phase where postpress answers,
#      keys x (TTL periods + 1 + the phase's webhook events) x the 3 attempts of a call (while it
#      fails, the breaker and the budget bound the calls: reported, not judged).
# Usage: bench/soak.sh                 30 minutes (DURATION=30m)
#        DURATION=2m bench/soak.sh     the CI version (.ci/run, after the Maven build)
# Knobs (environment): DURATION (30m; s or m), REPLICAS (3), TOPOLOGY (standalone, the only one
# so far), SOAK_SKIP_BUILD (0; 1 reuses target/), SOAK_JDK (the java on PATH),
# SOAK_PORT_BASE (18700: replicas +10i/+10i+1, simulator +90, Redis +95), SOAK_KEYS (40),
# SOAK_CONNS_PER_REPLICA (2), SOAK_PACE_MS (5), SOAK_TTL (5s), SOAK_REDIS_TIMEOUT (unset: as
# shipped), SOAK_HEAP (256m), SOAK_KEY_SLACK (16), SOAK_OUT (bench/target/soak).
# Only 127.0.0.1; every loop is bounded; every process it starts is stopped by PID on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

duration=${DURATION:-30m}
case $duration in
  *m) duration_s=$((${duration%m} * 60)) ;;
  *s) duration_s=${duration%s} ;;
  *) duration_s=$duration ;;
esac
replica_count=${REPLICAS:-3}
topology=${TOPOLOGY:-standalone}
port_base=${SOAK_PORT_BASE:-18700}
keys=${SOAK_KEYS:-40}
conns=${SOAK_CONNS_PER_REPLICA:-2}
pace_ms=${SOAK_PACE_MS:-5}
ttl=${SOAK_TTL:-5s}
redis_timeout=${SOAK_REDIS_TIMEOUT:-}
heap=${SOAK_HEAP:-256m}
key_slack=${SOAK_KEY_SLACK:-16}
out=${SOAK_OUT:-$root/bench/target/soak}
java=${SOAK_JDK:+$SOAK_JDK/bin/java}
java=${java:-$(command -v java || true)}
jar=$root/target/chat-proxy-0.1.0-SNAPSHOT.jar
sim_port=$((port_base + 90))
redis_port=$((port_base + 95))
api_key=soak_not_a_secret
webhook_secret=whsec_soak_not_a_secret
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
stats_url=http://127.0.0.1:$sim_port/__simulator/stats
logs=$out/logs
started_at=$(date +%s)

log() { printf '[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" $(($(date +%s) - started_at)) "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

[[ $topology == standalone ]] || die "TOPOLOGY=$topology: only standalone so far"
[[ $duration_s =~ ^[0-9]+$ && $duration_s -ge 60 ]] || die "DURATION must be at least 60s (such as 2m or 30m)"
[[ $ttl =~ ^[0-9]+s$ ]] || die "SOAK_TTL must be whole seconds, such as 5s"
[[ -n $java && -x $java ]] || die "no java (set SOAK_JDK)"
jcmd=$(dirname "$(readlink -f "$java")")/jcmd
[[ -x $jcmd ]] || die "no jcmd beside $java (a JDK, not a JRE, is needed)"
for tool in curl redis-server redis-cli; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install curl redis-server)"
done

# --- every process this script starts is stopped on any exit ----------------------------------
pids=()
redis_pid=
declare -A pid_of
extra_pids() { echo "$redis_pid" "${pid_of[@]}"; }
source bench/lib/cleanup.sh

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
names=()
for i in $(seq 1 "$replica_count"); do names+=("r$i"); done
app_port() { echo $((port_base + 10 * ${1#r})); }
mgmt_port() { echo $((port_base + 10 * ${1#r} + 1)); }
base_url() { echo "http://127.0.0.1:$(app_port "$1")/attendees/$attendee/chats"; }
for name in "${names[@]}"; do
  port_free "$(app_port "$name")" && port_free "$(mgmt_port "$name")" ||
    die "port $(app_port "$name") or $(mgmt_port "$name") is in use (set SOAK_PORT_BASE)"
done
port_free "$sim_port" && port_free "$redis_port" || die "port $sim_port or $redis_port is in use (set SOAK_PORT_BASE)"

if [[ ${SOAK_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -d target/test-classes/dev/chatproxy/demo ]]; then
  log "building the jar and the simulated postpress"
  ./mvnw -q -B -DskipTests -Djacoco.skip=true package
  ./mvnw -q -B -Djacoco.skip=true test-compile
fi
rm -rf "$out"
mkdir -p "$logs" "$out/client"
"$(dirname "$java")/javac" --release 17 -d "$out/client" bench/fleet/FleetClient.java bench/Client.java

redis() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }
start_redis() {
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >>"$logs/redis.log" 2>&1 &
  redis_pid=$!
  for _ in $(seq 1 100); do redis ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  die "redis-server did not answer"
}
log "redis-server ($topology) on 127.0.0.1:$redis_port"
start_redis

log "simulated postpress on 127.0.0.1:$sim_port"
"$java" -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress --port="$sim_port" --delay-ms=20 \
  --api-key="$api_key" >"$logs/simulator.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 600); do curl -sf -o /dev/null "$stats_url" && break; sleep 0.1; done
curl -sf -o /dev/null "$stats_url" || die "the simulator did not answer"
simulator() { curl -sf -X POST "http://127.0.0.1:$sim_port/__simulator/mode?$1" >/dev/null || die "simulator mode $1"; }
calls() { curl -sf "$stats_url" | grep -o '"calls":[0-9]*' | cut -d: -f2; }

start_replica() { # name
  local name=$1
  env POSTPRESS_API_KEY="$api_key" POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$(app_port "$name")" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
    MANAGEMENT_SERVER_PORT="$(mgmt_port "$name")" PROXY_CACHE_TTL="$ttl" PROXY_CACHE_SHARED=redis \
    SPRING_DATA_REDIS_URL="redis://127.0.0.1:$redis_port" PROXY_WEBHOOK_SECRET="$webhook_secret" \
    ${redis_timeout:+PROXY_CACHE_REDIS_TIMEOUT="$redis_timeout"} \
    "$java" "-Xmx$heap" -jar "$jar" >>"$logs/$name.log" 2>&1 &
  pid_of[$name]=$!
}
wait_ready() { # name: ready and hearing the fleet's channels, bounded to 240 s
  local name=$1 health
  health=http://127.0.0.1:$(mgmt_port "$name")/actuator/health
  for _ in $(seq 1 1200); do
    curl -s "$health" | grep -q '"sharedCache":{"details":{[^}]*"subscribed":true' && return 0
    kill -0 "${pid_of[$name]}" 2>/dev/null || die "replica $name exited (see $logs/$name.log)"
    sleep 0.2
  done
  die "replica $name was not ready and sharing within 240 s"
}
stop_replica() { # name: SIGTERM, bounded wait, then SIGKILL
  local name=$1 pid=${pid_of[$1]}
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}
log "starting ${replica_count} replicas (TTL $ttl, heap $heap${redis_timeout:+, redis-timeout $redis_timeout})"
for name in "${names[@]}"; do start_replica "$name"; done
for name in "${names[@]}"; do wait_ready "$name"; done

heap_after_gc() { # name -> MiB of heap in use right after a full GC: the smaller of two, as
  # the scrape between them allocates too
  local once twice
  once=$(heap_after_one_gc "$1")
  twice=$(heap_after_one_gc "$1")
  awk -v a="$once" -v b="$twice" 'BEGIN { print (a + 0 < b + 0) ? a : b }'
}
heap_after_one_gc() {
  "$jcmd" "${pid_of[$1]}" GC.run >/dev/null 2>&1 || { echo nan; return; }
  curl -sf "http://127.0.0.1:$(mgmt_port "$1")/actuator/prometheus" |
    awk '/^jvm_memory_used_bytes[{].*area="heap"/ { s += $NF } END { printf "%.1f\n", s / 1048576 }'
}
rss() { awk '/^VmRSS/ { printf "%.1f\n", $2 / 1024 }' "/proc/${pid_of[$1]}/status" 2>/dev/null || echo nan; }
dbsize() { redis dbsize 2>/dev/null | tr -d '\r' || echo nan; }
urls=$(for name in "${names[@]}"; do printf '%s,' "$(base_url "$name")"; done)
urls=${urls%,}
exclude=$out/exclude
stopfile=$out/stop

# every page under load, cached (and shared) before the faults, in every replica's own cache
# too: a replica that cannot reach Redis in time works alone, from what it holds
log "warm-up: $keys pages on every replica"
: >"$exclude"
"$java" -cp "$out/client" FleetClient soak "urls=$urls" conns=1 "keys=$keys" limit=5 epoch=2031-01-01T00:00:00Z \
  seconds=0 fill=1 >"$out/warmup.txt"
grep -q ' failed=0 ' "$out/warmup.txt" || die "the warm-up failed: $(cat "$out/warmup.txt")"

phases=(steady-first postpress-503 recovery postpress-slow postpress-429 steady redis-hung
  redis-restarted-empty webhook-storm rolling-restart steady-last)
phase_s=$((duration_s / ${#phases[@]}))
ttl_s=${ttl%s}
printf 'phase\tseconds\trequests\tfailed\tp50_ms\tp99_ms\tupstream_calls\tcalls_bound\twebhooks\tredis_keys\theap_mib\trss_mib\tanswers\n' \
  >"$out/phases.tsv"

storm() { # seconds: message events to the replicas in turn, 20 a second, bounded
  local end=$(($(date +%s) + $1)) n=0 name
  while (($(date +%s) < end && n < 20 * $1)); do
    name=${names[$((n % replica_count))]}
    curl -s -o /dev/null -m 5 -X POST "http://127.0.0.1:$(app_port "$name")/webhooks/postpress" \
      -H "X-Webhook-Secret: $webhook_secret" -H 'Content-Type: application/json' \
      -d "{\"event\":\"message_received\",\"account_id\":\"acc_1\",\"account_type\":\"LINKEDIN\",\"chat_id\":\"chat_storm_$n\",\"timestamp\":\"2026-11-24T13:49:07.965Z\",\"message_id\":\"msg_$n\",\"attendees\":[{\"attendee_id\":\"$attendee\",\"attendee_provider_id\":\"ACoA-storm\"}]}" || true
    n=$((n + 1))
    sleep 0.05
  done
  echo "$n" >"$out/webhooks"
}

fault_start() { # phase
  case $1 in
    postpress-503) simulator 'mode=error&status=503' ;;
    postpress-slow) simulator 'mode=slow&delay_ms=2000' ;;
    postpress-429) simulator "mode=error&status=429&retry_after=$(((phase_s + 1) / 2))" ;;
    redis-hung) kill -STOP "$redis_pid" ;;
    redis-restarted-empty)
      kill -9 "$redis_pid"
      wait "$redis_pid" 2>/dev/null || true
      start_redis ;;
    webhook-storm)
      storm "$phase_s" &
      storm_pid=$!
      pids+=("$storm_pid") ;;
    rolling-restart)
      # out of rotation first, as a load balancer would take it, then stopped and started
      local rolled=${names[0]}
      base_url "$rolled" >"$exclude"
      sleep 1
      stop_replica "$rolled"
      start_replica "$rolled"
      wait_ready "$rolled"
      : >"$exclude" ;;
  esac
}
fault_end() { # phase
  case $1 in
    postpress-*) simulator 'mode=healthy' ;;
    redis-hung) kill -CONT "$redis_pid" ;;
    webhook-storm) wait "$storm_pid" || true ;;
  esac
}

failed_total=0
calls_over=0
keys_over=0
declare -A heap_first heap_last
key_bound=
for phase in "${phases[@]}"; do
  rm -f "$stopfile" "$out/webhooks"
  log "phase $phase (${phase_s} s)"
  c0=$(calls)
  t0=$(date +%s)
  "$java" -cp "$out/client" FleetClient soak "urls=$urls" "conns=$conns" "keys=$keys" limit=5 \
    epoch=2031-01-01T00:00:00Z "seconds=$((phase_s + 600))" "pace_ms=$pace_ms" "exclude=$exclude" \
    "stop=$stopfile" >"$out/client-$phase.txt" 2>&1 &
  client_pid=$!
  pids+=("$client_pid")
  fault_start "$phase"
  while (($(date +%s) - t0 < phase_s)); do sleep 0.5; done
  fault_end "$phase"
  touch "$stopfile"
  wait "$client_pid" || die "the load client failed in $phase: $(tail -3 "$out/client-$phase.txt")"
  elapsed=$(($(date +%s) - t0))
  c1=$(calls)
  result=$(grep '^RESULT' "$out/client-$phase.txt")
  field() { sed -E "s/.* $1=([^ ]*).*/\1/" <<<"$result"; }
  webhooks=$(cat "$out/webhooks" 2>/dev/null || echo 0)
  upstream=$((c1 - c0))
  bound=$((keys * ((elapsed + ttl_s - 1) / ttl_s + 1 + webhooks) * 3))
  heaps="" rsss=""
  for name in "${names[@]}"; do
    h=$(heap_after_gc "$name")
    heaps+="${heaps:+/}$h"
    rsss+="${rsss:+/}$(rss "$name")"
    [[ $phase == steady-first ]] && heap_first[$name]=$h
    [[ $phase == steady-last ]] && heap_last[$name]=$h
  done
  redis_keys=$(dbsize)
  [[ $phase == steady-first ]] && key_bound=$((redis_keys + key_slack))
  failed=$(field failed)
  failed_total=$((failed_total + failed))
  # while postpress fails, each failed refresh leaves the page to refresh again: the breaker
  # and the budget bound those calls, not the TTL; judged where postpress answers
  if [[ $phase == postpress-503 || $phase == postpress-429 ]]; then
    bound="-"
  else
    ((upstream <= bound)) || calls_over=$((calls_over + 1))
  fi
  [[ $redis_keys =~ ^[0-9]+$ ]] && ((redis_keys > key_bound)) && keys_over=$((keys_over + 1))
  printf '%s\t%s\t%s\t%s\t%.1f\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$phase" "$elapsed" "$(field requests)" "$failed" \
    "$(awk -v u="$(field p50_us)" 'BEGIN { print u / 1000 }')" "$(awk -v u="$(field p99_us)" 'BEGIN { print u / 1000 }')" \
    "$upstream" "$bound" "$webhooks" "$redis_keys" "$heaps" "$rsss" "$(field cache)" >>"$out/phases.tsv"
  log "  $(field requests) requests, $failed failed, p50 $(field p50_us) us, p99 $(field p99_us) us, upstream calls $upstream (bound $bound), Redis keys $redis_keys, heap after GC $heaps MiB, RSS $rsss MiB"
done

# --- goals ---------------------------------------------------------------------------------------
judged=" ${SOAK_JUDGED:-1 2 3 4} "
goal() { # number, ok?, text
  if [[ $2 == 1 ]]; then echo "PASS  $3";
  elif [[ $judged == *" $1 "* ]]; then echo "MISS  $3";
  else echo "miss  $3 (reported, not judged: SOAK_JUDGED=${SOAK_JUDGED})"; fi
}
heap_ok=1 heap_text=""
for name in "${names[@]}"; do
  growth=$(awk -v a="${heap_first[$name]}" -v b="${heap_last[$name]}" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
  if [[ $name == "${names[0]}" ]]; then
    heap_text+=" $name ${heap_first[$name]}->${heap_last[$name]} MiB (rolled: a new JVM, not judged);"
    continue
  fi
  heap_text+=" $name ${heap_first[$name]}->${heap_last[$name]} MiB ($growth%);"
  awk -v g="$growth" 'BEGIN { exit !(g <= 10) }' || heap_ok=0
done
errors=$(cat "$logs"/r*.log | grep -c ' ERROR ' || true)
{
  echo "soak: $replica_count replicas, $topology Redis, ${duration_s} s (${#phases[@]} phases of ${phase_s} s), $keys pages, TTL $ttl, $((replica_count * conns)) connections"
  column -t -s $'\t' "$out/phases.tsv"
  echo
  goal 1 "$((failed_total == 0))" "failed requests for pages cached before the faults: $failed_total"
  goal 2 "$heap_ok" "heap after GC, steady-first -> steady-last, <= 10% growth:$heap_text"
  goal 3 "$((keys_over == 0))" "keys in Redis never above steady-first's + $key_slack ($key_bound): $keys_over phase(s) above"
  goal 4 "$((calls_over == 0))" "upstream calls <= keys x (TTL periods + 1 + webhook events) x 3 attempts, where postpress answers: $calls_over phase(s) above"
  echo "ERROR lines in the replicas' logs: $errors (see $logs)"
} | tee "$out/RESULTS.txt"
# (the goals above print in a pipeline: the verdict is read back from what they printed)
! grep -q '^MISS' "$out/RESULTS.txt"
