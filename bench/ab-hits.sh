#!/usr/bin/env bash
# Side-by-side A/B of the hit path (1-item page; LIMIT=100 for the default page) of several jars (or one jar with different settings):
# every jar started at once, pinned to CPU 0, in front of the simulated postpress (20 ms); wrk on
# CPU 1, 64 connections; WARM warm-up runs of 3 s each, then ROUNDS rounds of SECONDS_ s, one run
# per jar per round. Prints req/s, p50/p99 and CPU microseconds per request (the load-robust
# measure) for every run. Build the jars first (./mvnw -B -DskipTests package; copy each aside).
# MODE=miss measures misses instead: 1 connection, a new key per request, and each round also
# calls the simulated postpress directly ("direct"), so a jar's overhead is its p50 minus direct's.
# Usage, from the repository root (needs target/test-classes for the stand-in):
#   bench/ab-hits.sh before=/tmp/a.jar after=/tmp/b.jar quiet=/tmp/b.jar@LOGGING_LEVEL_DEV_CHATPROXY_ACCESS=WARN
# TOGETHER=1 loads every jar at the same time in each round (one wrk each, CONNS connections each,
# all the jars still sharing CPU 0): each jar's CPU per request is then measured under the same
# weather as the others', which on a shared (virtual) machine moves a jar's cost by ±20 % from one
# 5 s run to the next; use it for differences smaller than that (hits only). Its warm-up loads the
# jars at once too: WARM runs of 3 s (C2 keeps compiling for about two minutes of full load, so
# WARM=40 or more before comparing steady states).
# env: ROUNDS (3) SECONDS_ (5) WARM (6) CONNS (64) LIMIT (1: the page size hit) JAVA (Temurin 25) EXTRA_ENV (for every jar) TOGETHER
set -u
cd "$(dirname "$0")/.."
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
R=${ROUNDS:-3}; S=${SECONDS_:-5}; C=${CONNS:-64}
sim=19180; key=bench-key
pids=()
mkdir -p bench/target
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
taskset -c 1 $J -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress --port=$sim --delay-ms=20 --api-key=$key >bench/target/ab-sim.log 2>&1 &
pids+=($!)
labels=(); ports=(); ppids=()
i=0
for spec in "$@"; do
  label=${spec%%=*}; rest=${spec#*=}; jar=${rest%%@*}; penv=""; [[ $rest == *@* ]] && penv=${rest#*@}
  port=$((19200 + i*2)); mport=$((port+1))
  env POSTPRESS_API_KEY=$key POSTPRESS_BASE_URL=http://127.0.0.1:$sim/api/v1 SERVER_PORT=$port MANAGEMENT_SERVER_PORT=$mport PROXY_CACHE_TTL=10m ${EXTRA_ENV:-} $penv \
    taskset -c 0 $J ${JOPTS:-} -jar "$jar" >bench/target/ab-$label.log 2>&1 &
  pids+=($!); ppids+=($!); labels+=("$label"); ports+=($port)
  i=$((i+1))
done
for p in "${ports[@]}"; do
  for _ in $(seq 1 1500); do curl -fs -o /dev/null http://127.0.0.1:$((p+1))/actuator/health/readiness && break; sleep 0.2; done
done
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
url() { echo "http://127.0.0.1:$1/attendees/$attendee/chats?limit=${LIMIT:-1}"; }
epoch=1798761600
run() { # port, [api key] -> RESULT line of one run, hits or misses as MODE says (call through "fresh")
  if [[ ${MODE:-hit} == miss ]]; then
    local path=/attendees/$attendee/chats
    [[ $1 == "$sim" ]] && path=/api/v1/chat_attendees/$attendee/chats
    taskset -c 1 wrk -t1 -c${MC:-1} -d${S}s --timeout 10s -s bench/wrk/unique.lua "http://127.0.0.1:$1" -- "$path" 1 "$epoch" ${2:+"$2"}
  else
    taskset -c 1 wrk -t1 -c$C -d${S}s --timeout 10s -s bench/wrk/fixed.lua "$(url "$1")"
  fi | grep '^RESULT'
}
fresh() { epoch=$((epoch + 86400)); } # a day of new keys for the next run (runs go in subshells)
for p in "${ports[@]}"; do curl -fsS -D - -o /dev/null "$(url $p)" | tr -d '\r' | grep -i 'cache-status\|content-length' ; done
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
report() { # round, jar index, its CPU ticks before the run, the run's RESULT line -> the round's line for that jar
  local n; n=$(sed 's/.*requests=\([0-9]*\).*/\1/' <<<"$4")
  echo "round $1 ${labels[$2]} $4 cpu_us_per_req=$(( ($(cpu ${ppids[$2]})-$3)*10000*1000/ (n>0?n:1) / 1000 ))"
}
together() { # every jar loaded at once for S seconds; outputs in bench/target/ab-together-<k>.txt
  local loads=() k
  for k in "${!ports[@]}"; do run "${ports[$k]}" >bench/target/ab-together-$k.txt & loads+=($!); done
  wait "${loads[@]}"
}
if [[ ${TOGETHER:-} == 1 ]]; then
  for w in $(seq 1 ${WARM:-6}); do S=3 together; done
else
  for w in $(seq 1 ${WARM:-6}); do for k in "${!ports[@]}"; do fresh; S=3 MC=${WARM_MISS_CONNS:-16} run "${ports[$k]}" >/dev/null; done; done
fi
for r in $(seq 1 $R); do
  if [[ ${TOGETHER:-} == 1 ]]; then
    declare -A c0s=()
    for k in "${!ports[@]}"; do c0s[$k]=$(cpu ${ppids[$k]}); done
    together
    for k in "${!ports[@]}"; do report "$r" "$k" "${c0s[$k]}" "$(cat bench/target/ab-together-$k.txt)"; done
    continue
  fi
  if [[ ${MODE:-hit} == miss ]]; then fresh; echo "round $r direct $(run $sim $key)"; fi
  for k in "${!ports[@]}"; do
    c0=$(cpu ${ppids[$k]})
    fresh
    report "$r" "$k" "$c0" "$(run "${ports[$k]}")"
  done
done
