#!/usr/bin/env bash
# Fleet mode demo (CONTRACT.md section 9): Debian's redis-server, the simulated postpress and
# three chat-proxy replicas on loopback. Shows that a page fetched by replica 1 is a hit on 2
# and 3, that 90 concurrent requests over the three make one upstream call, that a 429 pauses
# all three, and that a stopped Redis changes nothing for callers. Every process it starts is stopped by PID on exit.
# Usage: bench/fleet-demo.sh   (FLEET_DEMO_SKIP_BUILD=1 reuses target/; FLEET_DEMO_PORT_BASE=19080)
# The replicas get proxy.cache.redis-timeout=500ms (FLEET_DEMO_REDIS_TIMEOUT): 90 curl processes
# and four JVMs on a small machine can hold a Redis reply past the 100 ms default, and then each
# replica rightly works alone, which is not what step 2 means to show.
set -euo pipefail

cd "$(dirname "$0")/.."
port_base=${FLEET_DEMO_PORT_BASE:-19080}
redis_port=$((port_base + 20))
sim_port=$((port_base + 10))
api_key=pp_demo_not_a_secret
jar=target/chat-proxy-0.1.0-SNAPSHOT.jar
work=bench/target/fleet-demo
sim=http://127.0.0.1:$sim_port/__simulator
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
mkdir -p "$work"

say() { printf '\n== %s\n' "$*"; }
die() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

pids=()
redis_pid=
extra_pids() { echo "$redis_pid"; }
source bench/lib/cleanup.sh

wait_for() { # url, what: bounded to 90 s
  for _ in $(seq 1 450); do curl -sf -o /dev/null "$1" && return 0; sleep 0.2; done
  die "$2 did not answer on $1"
}
calls() { curl -sf "$sim/stats" | grep -o '"calls":[0-9]*' | cut -d: -f2; }
status_of() { curl -s -o /dev/null -D - "$1" | tr -d '\r' | grep -i '^cache-status:' | cut -d' ' -f2-; }
replica_url() { echo "http://127.0.0.1:$((port_base + 100 * $1))"; }

[[ -x /usr/bin/redis-server ]] || die "/usr/bin/redis-server is missing (apt-get install redis-server)"
if [[ ${FLEET_DEMO_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -d target/test-classes/dev/chatproxy/demo ]]; then
  say "building the jar and the simulated postpress"
  ./mvnw -q -B -DskipTests package
  ./mvnw -q -B test-compile
fi

say "redis-server on 127.0.0.1:$redis_port"
/usr/bin/redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
  >"$work/redis.log" 2>&1 &
redis_pid=$!

say "simulated postpress on 127.0.0.1:$sim_port (300 ms per call)"
java -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress --port="$sim_port" --delay-ms=300 \
  --api-key="$api_key" >"$work/simulator.log" 2>&1 &
pids+=($!)
wait_for "$sim/stats" "the simulator"

for i in 1 2 3; do
  say "replica $i on $(replica_url "$i") (management $((port_base + 100 * i + 1)))"
  POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL=http://127.0.0.1:$sim_port/api/v1 \
    SERVER_PORT=$((port_base + 100 * i)) MANAGEMENT_SERVER_PORT=$((port_base + 100 * i + 1)) \
    PROXY_CACHE_SHARED=redis SPRING_DATA_REDIS_URL=redis://127.0.0.1:$redis_port \
    PROXY_CACHE_REDIS_TIMEOUT=${FLEET_DEMO_REDIS_TIMEOUT:-500ms} \
    java -jar "$jar" >"$work/replica-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3; do
  health=http://127.0.0.1:$((port_base + 100 * i + 1))/actuator/health
  wait_for "$health" "replica $i"
  # sharing once Redis answers and the replica hears the fleet's channels
  for _ in $(seq 1 150); do
    curl -s "$health" | grep -q '"sharedCache":{"details":{[^}]*"subscribed":true}' && break
    sleep 0.2
  done
  # a JVM's first upstream call and Redis script are slow: not what this demo is about
  curl -sf -o /dev/null "$(replica_url "$i")/attendees/$attendee/chats?limit=$((10 + i))"
done

say "1. a page fetched by replica 1 is a hit on replicas 2 and 3"
before=$(calls)
for i in 1 2 3; do
  echo "replica $i: Cache-Status: $(status_of "$(replica_url "$i")/attendees/$attendee/chats?limit=5")"
done
echo "upstream calls: $(($(calls) - before))"
[[ $(($(calls) - before)) == 1 ]] || die "expected one upstream call"

say "2. 90 concurrent requests over the three replicas make one upstream call"
before=$(calls)
crowd=()
for n in $(seq 1 90); do
  curl -s -o /dev/null -D "$work/crowd-$n.txt" "$(replica_url $((n % 3 + 1)))/attendees/$attendee/chats?limit=6" &
  crowd+=($!)
done
wait "${crowd[@]}"
cat "$work"/crowd-*.txt | tr -d '\r' | grep -i '^cache-status:' | sort | uniq -c
crowd_calls=$(($(calls) - before))
echo "upstream calls: $crowd_calls"
# reported, not fatal: on a saturated machine a replica may rightly fall back to working alone
[[ $crowd_calls == 1 ]] || echo "NOTE: expected one upstream call, saw $crowd_calls (see the replicas' logs in $work)"

say "3. a 429 from postpress pauses the whole fleet for its Retry-After"
curl -sf -o /dev/null -X POST "$sim/mode?mode=error&status=429&retry_after=4"
before=$(calls)
for i in 1 2 3; do
  curl -s -o /dev/null -D "$work/paused-$i.txt" "$(replica_url "$i")/attendees/$attendee/chats?limit=$((20 + i))"
  echo "replica $i: $(head -1 "$work/paused-$i.txt" | tr -d '\r'), $(tr -d '\r' < "$work/paused-$i.txt" | grep -i '^retry-after:')"
done
paused_calls=$(($(calls) - before))
echo "upstream calls: $paused_calls (replica 1 met the 429; 2 and 3 held back)"
[[ $paused_calls == 1 ]] || die "expected one upstream call while paused, saw $paused_calls"
curl -sf -o /dev/null -X POST "$sim/reset"
for _ in $(seq 1 50); do # the pause ends on its own, on every replica
  [[ $(curl -s -o /dev/null -w '%{http_code}' "$(replica_url 3)/attendees/$attendee/chats?limit=30") == 200 ]] && break
  sleep 0.2
done
echo "after the pause: replica 3 answers $(curl -s -o /dev/null -w '%{http_code}' "$(replica_url 3)/attendees/$attendee/chats?limit=30")"

say "4. Redis stopped: callers notice nothing, each replica works alone and says so"
kill "$redis_pid"; wait "$redis_pid" 2>/dev/null || true; redis_pid=
for i in 1 2 3; do
  start=$(date +%s%N)
  code=$(curl -s -o /dev/null -w '%{http_code}' "$(replica_url "$i")/attendees/$attendee/chats?limit=7")
  echo "replica $i: $code in $(( ($(date +%s%N) - start) / 1000000 )) ms"
  [[ $code == 200 ]] || die "replica $i answered $code"
done
curl -s "http://127.0.0.1:$((port_base + 101))/actuator/health" \
  | grep -o '"sharedCache":{[^}]*}[^}]*}' || true
echo "readiness of replica 1: $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$((port_base + 101))/actuator/health/readiness")"

say "done: stopping everything"
