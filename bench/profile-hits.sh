#!/usr/bin/env bash
# JFR profile of one proxy jar's 1-item hit path under load, for before/after comparisons:
# starts the stand-in (CPU 1) and the jar (CPU 0, as shipped), loads it with wrk (64 connections)
# for WARMUP seconds, then records SECONDS more with JFR and renders the tables, folded stacks and
# flame graph with bench/profile.sh. Stops what it started. About WARMUP + SECONDS + 1 minute.
# Usage: bench/profile-hits.sh JAR OUT_PREFIX [JDK_HOME] [WARMUP=60] [SECONDS=20]
#   e.g. bench/profile-hits.sh target/chat-proxy-0.1.0-SNAPSHOT.jar bench/results/profiles/after-jdk25
set -euo pipefail
cd "$(dirname "$0")/.."
jar=$1 prefix=$2 jdk=${3:-/usr/lib/jvm/temurin-25-jdk-amd64} warmup=${4:-60} seconds=${5:-20}
port=${BENCH_PORT_BASE:-19080}
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
mkdir -p "$(dirname "$prefix")" bench/target
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT
taskset -c 1 "$jdk/bin/java" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
  --port=$((port + 10)) --delay-ms=20 --api-key=bench >bench/target/profile-standin.log 2>&1 &
pids+=($!)
POSTPRESS_API_KEY=bench POSTPRESS_BASE_URL=http://127.0.0.1:$((port + 10))/api/v1 SERVER_PORT=$port \
  MANAGEMENT_SERVER_PORT=$((port + 1)) PROXY_CACHE_TTL=10m \
  taskset -c 0 "$jdk/bin/java" -XX:FlightRecorderOptions:stackdepth=256 -jar "$jar" >bench/target/profile-proxy.log 2>&1 &
pids+=($!)
proxy=$!
for _ in $(seq 1 3000); do curl -sf -o /dev/null "http://127.0.0.1:$((port + 1))/actuator/health/readiness" && break; sleep 0.1; done
url="http://127.0.0.1:$port/attendees/$attendee/chats?limit=1"
curl -sf -o /dev/null "$url"
echo "warm-up ${warmup} s: $(taskset -c 1 wrk -t1 -c64 -d"${warmup}s" -s bench/wrk/fixed.lua "$url" | grep RESULT)"
"$jdk/bin/jcmd" "$proxy" JFR.start name=hits settings=profile filename="$(realpath -m "$prefix.jfr")" >/dev/null
echo "profiled ${seconds} s: $(taskset -c 1 wrk -t1 -c64 -d"${seconds}s" -s bench/wrk/fixed.lua "$url" | grep RESULT)" | tee "$prefix.load.txt"
"$jdk/bin/jcmd" "$proxy" JFR.stop name=hits >/dev/null
echo "load average $(cut -d' ' -f1-3 /proc/loadavg); jar $jar; $("$jdk/bin/java" -version 2>&1 | head -1)" >>"$prefix.load.txt"
bench/profile.sh "$prefix.jfr" "$prefix.txt" "$jdk"
rm -f "$prefix.jfr"
head -30 "$prefix.txt"
