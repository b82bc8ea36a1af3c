#!/usr/bin/env bash
# Where a hit's tail latency is spent: the 1-item hit load of bench/run.sh (proxy pinned to CPU 0,
# wrk -c64 on CPU 1, after WARM x 3 s of warm-up), three 6 s rounds, each printing wrk's latency
# (the caller's view) beside the proxy's own http_server_requests histogram over the same round
# (from the metrics filter's start to its end). A p99 far above the server's says the time goes
# in queueing before the request is handled (connections waiting for the core), not in its work.
# Usage, from the repository root after ./mvnw -B -DskipTests package:
#   bench/tail.sh                 JAVA=/usr/lib/jvm/java-17-openjdk-amd64/bin/java bench/tail.sh
# env: JAVA (Temurin 25), JAR (target/chat-proxy-*.jar), WARM (15), PENV (extra settings, e.g.
# LOGGING_LEVEL_DEV_CHATPROXY_ACCESS=WARN)
set -u
cd "$(dirname "$0")/.."
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
jar=${JAR:-$(ls target/chat-proxy-*.jar | head -1)}
sim=19180 key=bench-key port=19200 management=19201
mkdir -p bench/target
trap 'kill $sim_pid $proxy_pid 2>/dev/null; wait 2>/dev/null' EXIT
taskset -c 1 "$J" -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress --port=$sim --delay-ms=20 \
  --api-key=$key >bench/target/tail-sim.log 2>&1 &
sim_pid=$!
env POSTPRESS_API_KEY=$key POSTPRESS_BASE_URL=http://127.0.0.1:$sim/api/v1 SERVER_PORT=$port \
  MANAGEMENT_SERVER_PORT=$management PROXY_CACHE_TTL=10m ${PENV:-} taskset -c 0 "$J" -jar "$jar" \
  >bench/target/tail-proxy.log 2>&1 &
proxy_pid=$!
for _ in $(seq 1 600); do curl -fs -o /dev/null "http://127.0.0.1:$management/actuator/health/readiness" && break; sleep 0.2; done
url="http://127.0.0.1:$port/attendees/att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR/chats?limit=1"
for _ in $(seq 1 "${WARM:-15}"); do taskset -c 1 wrk -t1 -c64 -d3s "$url" >/dev/null; done
buckets() { # cumulative buckets of the chats route's 200s: "le count" lines
  curl -s "http://127.0.0.1:$management/actuator/prometheus" |
    awk '/^http_server_requests_seconds_bucket/ && /attendee_id/ && /status="200"/ {
      match($0, /le="[^"]*"/); print substr($0, RSTART + 4, RLENGTH - 5), $NF }'
}
for round in 1 2 3; do
  before=$(buckets)
  echo "round $round caller: $(taskset -c 1 wrk -t1 -c64 -d6s -s bench/wrk/fixed.lua "$url" | grep '^RESULT')"
  after=$(buckets)
  awk 'NR == FNR { b[$1] = $2; next } { le[++n] = ($1 == "+Inf") ? 1e9 : $1; c[n] = $2 - b[$1] }
    END { total = c[n]; printf "round '"$round"' server: %d requests, p50 <= %.3f ms, p99 <= %.3f ms, p99.9 <= %.3f ms\n",
      total, q(0.5), q(0.99), q(0.999) }
    function q(p,   i) { for (i = 1; i <= n; i++) if (c[i] >= p * total) return le[i] * 1000 }' \
    <(echo "$before") <(echo "$after")
done
