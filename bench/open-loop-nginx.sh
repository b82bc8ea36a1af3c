#!/usr/bin/env bash
# Is the open loop's tail the server's or the client's? bench/Client.java's fixed-rate mode (what
# bench/run.sh uses for the proxy's open-loop goal) against nginx proxy_cache (bench/nginx.conf, one
# worker pinned to CPU 0, the client and the stand-in on CPU 1) at the rates the proxy was driven at.
# nginx answers a hit in 11-24 us of CPU, so at these rates its own tail is small: a p99 of hundreds of
# ms here is the client's. Usage, from the repository root after bench/run.sh (or ./mvnw -B -DskipTests
# package): RATES="15481:1 10586:100" bench/open-loop-nginx.sh   env: RATES (rate:items ...), SECONDS_ (10),
# ROUNDS (2), JAVA (Temurin 25)
set -u
cd "$(dirname "$0")/.."
J=${JAVA:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
sim=19180 port=19184 key=bench_not_a_secret
work=bench/target/open-loop-nginx
rm -rf "$work"; mkdir -p "$work/client" "$work/nginx"
"$(dirname "$(readlink -f "$J")")/javac" --release 17 -d "$work/client" bench/Client.java
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null' EXIT
taskset -c 1 "$J" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
  --port=$sim --delay-ms=20 --api-key=$key >"$work/sim.log" 2>&1 &
pids+=($!)
sed -e "s#@WORK@#$(readlink -f "$work/nginx")#g" -e "s#@PORT@#$port#" -e "s#@UPSTREAM@#127.0.0.1:$sim#" \
  -e "s#@API_KEY@#$key#" bench/nginx.conf >"$work/nginx/nginx.conf"
user=(); [[ $(id -u) != 0 ]] || user=(-g "user root;")
taskset -c 0 nginx -p "$(readlink -f "$work/nginx")" -c "$(readlink -f "$work/nginx")/nginx.conf" "${user[@]}" >"$work/nginx.log" 2>&1 &
pids+=($!)
url() { echo "http://127.0.0.1:$port/api/v1/chat_attendees/att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR/chats?limit=$1"; }
for _ in $(seq 1 150); do curl -fs -o /dev/null "$(url 1)" && break; sleep 0.2; done
for spec in ${RATES:-15481:1 10586:100}; do
  rate=${spec%%:*} items=${spec#*:}
  taskset -c 1 wrk -t1 -c64 -d3s "$(url "$items")" >/dev/null
  for round in $(seq 1 "${ROUNDS:-2}"); do
    echo "nginx $items items at $rate req/s, round $round: $(taskset -c 1 "$J" -cp "$work/client" Client rate \
      url="$(url "$items")" rate="$rate" seconds="${SECONDS_:-10}" connections=64 | grep '^RESULT')"
  done
done
