#!/usr/bin/env bash
# Storms cost postpress little (issue 22): 3 chat-proxy replicas in fleet mode, one Redis, the
# simulated postpress; three attendees with two cached pages each (limit=5 and limit=20), read
# steadily on every replica by bench/storm/StormClient.java, while a storm of message events
# (STORM_RATE a second, 40, for STORM_SECONDS, 40) hits one chat of each attendee in turn: each
# event is a message on the simulator (POST /__simulator/message, so the pages really change) and
# its webhook, posted to the replicas in turn (each attendee's events split across all three).
# It reports, per jar and per attendee, postpress calls during the storm against the bound of
# issue 22 (pages x ceil(storm seconds / interval) + pages: one refresh per page and interval, and
# the trailing one), and how long after the last event every replica served every page with the
# attendee's last message.
# Usage: bench/storm.sh                       the jar of this checkout (built unless STORM_SKIP_BUILD=1)
#        STORM_JARS="before=/tmp/b.jar after=target/chat-proxy-0.1.0-SNAPSHOT.jar" bench/storm.sh
#                                             several jars in turn, each against a fresh fleet
# Knobs (environment): STORM_SECONDS (40), STORM_RATE (40), STORM_READERS (6), STORM_PACE_MS (5),
# STORM_REPLICAS (3), STORM_SHARED (redis; none: replicas that share nothing, each coalescing
# alone, as one replica does: with STORM_REPLICAS=1, the single-replica case),
# STORM_TTL (60s: no page expires during the storm, so every call is the storm's),
# STORM_INTERVAL (1s, proxy.webhook.min-refresh-interval), STORM_REDIS_TIMEOUT (1s, not the
# shipped 100ms: on a shared 2-core machine Redis commands time out and open the breaker, which
# measures the machine, not coalescing), STORM_PORT_BASE (18400: replicas
# +10i/+10i+1, simulator +90, Redis +95), STORM_OUT (bench/target/storm), STORM_JDK (java on PATH).
# Only 127.0.0.1; every loop is bounded; every process it starts is stopped by PID on exit.
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
source bench/lib/log.sh

seconds=${STORM_SECONDS:-40}
rate=${STORM_RATE:-40}
readers=${STORM_READERS:-6}
pace_ms=${STORM_PACE_MS:-5}
ttl=${STORM_TTL:-60s}
interval=${STORM_INTERVAL:-1s}
redis_timeout=${STORM_REDIS_TIMEOUT:-1s}
port_base=${STORM_PORT_BASE:-18400}
out=${STORM_OUT:-$root/bench/target/storm}
java=${STORM_JDK:+$STORM_JDK/bin/java}
java=${java:-$(command -v java || true)}
jars=${STORM_JARS:-"this=$root/target/chat-proxy-0.1.0-SNAPSHOT.jar"}
sim_port=$((port_base + 90))
redis_port=$((port_base + 95))
api_key=storm_not_a_secret
webhook_secret=whsec_storm_not_a_secret
# three of the simulator's attendees whose chats no other of them shares
attendees=att_01J0A4B6C8D2E5F7G9H1J3K5M7,att_01J1B3C5D7E9F2G4H6J8K0M2N4,att_01HY7R2D9K5M3N8P4Q6S1T0V2W
replica_count=${STORM_REPLICAS:-3}
shared=${STORM_SHARED:-redis}
names=()
for i in $(seq 1 "$replica_count"); do names+=("r$i"); done

[[ -n $java && -x $java ]] || die "no java (set STORM_JDK)"
[[ $interval =~ ^[0-9]+(ms|s)$ ]] || die "STORM_INTERVAL must be such as 1s or 500ms"
interval_ms=${interval%ms}
[[ $interval == *ms ]] || interval_ms=$((${interval%s} * 1000))
for tool in curl redis-server redis-cli; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install curl redis-server)"
done

pids=()
source bench/lib/cleanup.sh

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
app_port() { echo $((port_base + 10 * ${1#r})); }
mgmt_port() { echo $((port_base + 10 * ${1#r} + 1)); }
for name in "${names[@]}"; do
  port_free "$(app_port "$name")" && port_free "$(mgmt_port "$name")" ||
    die "port $(app_port "$name") or $(mgmt_port "$name") is in use (set STORM_PORT_BASE)"
done
port_free "$sim_port" && port_free "$redis_port" || die "port $sim_port or $redis_port is in use (set STORM_PORT_BASE)"

if [[ -z ${STORM_JARS:-} && ${STORM_SKIP_BUILD:-0} != 1 ]] || [[ ! -d target/test-classes/dev/chatproxy/demo ]]; then
  log "building the jar and the simulated postpress"
  [[ -n ${STORM_JARS:-} ]] || ./mvnw -q -B -DskipTests -Djacoco.skip=true package
  ./mvnw -q -B -Djacoco.skip=true test-compile
fi
rm -rf "$out"
mkdir -p "$out/logs" "$out/client" "$out/simulator"
# the simulator's classes, copied: a build in this checkout meanwhile does not change them
cp -r target/test-classes/dev "$out/simulator/"
"$(dirname "$java")/javac" --release 17 -d "$out/client" bench/storm/StormClient.java

run() { # label jar
  local label=$1 jar=$2 name fleet=() urls i
  [[ -f $jar ]] || die "no jar $jar"
  log "[$label] redis-server, the simulator and $replica_count replicas (shared tier: $shared) of $jar"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no >"$out/logs/$label-redis.log" 2>&1 &
  fleet+=($!)
  pids+=($!)
  for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG && break; sleep 0.1; done
  "$java" -cp "$out/simulator" dev.chatproxy.demo.SimulatedPostpress --port="$sim_port" --delay-ms=20 \
    --api-key="$api_key" >"$out/logs/$label-simulator.log" 2>&1 &
  fleet+=($!)
  pids+=($!)
  for _ in $(seq 1 300); do curl -sf -o /dev/null "http://127.0.0.1:$sim_port/__simulator/stats" && break; sleep 0.1; done
  for name in "${names[@]}"; do
    env POSTPRESS_API_KEY="$api_key" POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
      SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$(app_port "$name")" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
      MANAGEMENT_SERVER_PORT="$(mgmt_port "$name")" PROXY_CACHE_TTL="$ttl" PROXY_CACHE_SHARED="$shared" \
      SPRING_DATA_REDIS_URL="redis://127.0.0.1:$redis_port" PROXY_WEBHOOK_SECRET="$webhook_secret" \
      PROXY_WEBHOOK_MIN_REFRESH_INTERVAL="$interval" PROXY_CACHE_REDIS_TIMEOUT="$redis_timeout" \
      LOGGING_LEVEL_DEV_CHATPROXY_ACCESS=WARN \
      "$java" -Xmx256m -jar "$jar" >"$out/logs/$label-$name.log" 2>&1 &
    fleet+=($!)
    pids+=($!)
  done
  for name in "${names[@]}"; do
    local health=http://127.0.0.1:$(mgmt_port "$name")/actuator/health ready=0
    for _ in $(seq 1 1200); do
      if [[ $shared == redis ]]; then
        curl -s "$health" | grep -q '"sharedCache":{"details":{[^}]*"subscribed":true' && { ready=1; break; }
      else
        curl -s "$health/readiness" | grep -q '"status":"UP"' && { ready=1; break; }
      fi
      sleep 0.2
    done
    ((ready)) || die "[$label] replica $name was not ready within 240 s (see $out/logs/$label-$name.log)"
  done
  urls=$(for name in "${names[@]}"; do printf 'http://127.0.0.1:%s,' "$(app_port "$name")"; done)
  log "[$label] storm: $rate events/s for $seconds s over 3 attendees, $readers readers (pace $pace_ms ms)"
  "$java" -cp "$out/client" StormClient "replicas=${urls%,}" "sim=http://127.0.0.1:$sim_port" "api-key=$api_key" \
    "secret=$webhook_secret" "attendees=$attendees" "rate=$rate" "seconds=$seconds" "interval-ms=$interval_ms" \
    "readers=$readers" "pace-ms=$pace_ms" >"$out/$label.txt" 2>"$out/logs/$label-client.log" ||
    die "[$label] the storm client failed: $(tail -3 "$out/logs/$label-client.log")"
  for ((i = ${#fleet[@]} - 1; i >= 0; i--)); do stop "${fleet[$i]}"; done
  cat "$out/$label.txt" >&2
}

uptime >"$out/load-before.txt"
for entry in $jars; do
  run "${entry%%=*}" "${entry#*=}"
done
uptime >"$out/load-after.txt"
log "results in $out (load before: $(cat "$out/load-before.txt"); after: $(cat "$out/load-after.txt"))"
