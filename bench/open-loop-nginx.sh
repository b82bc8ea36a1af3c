#!/usr/bin/env bash
# Is the open loop's tail the server's or the client's? bench/Client.java's fixed-rate mode (what
# bench/run.sh uses for the proxy's open-loop goal) against nginx proxy_cache (bench/nginx.conf, one
# worker pinned to CPU 0, the client and the stand-in on CPU 1) at the rates the proxy was driven at.
# nginx answers a hit in 11-24 us of CPU, so at these rates its own tail is small: a p99 of hundreds of
# ms here is the client's. Usage, from the repository root after bench/run.sh (or ./mvnw -B -DskipTests
# package): RATES="15481:1 10586:100" bench/open-loop-nginx.sh   env: RATES (rate:items ...), SECONDS_ (10),
# ROUNDS (2), BENCH_JDK (Temurin 25); ports 19180 (stand-in) and 19184 (nginx)
set -u
cd "$(dirname "$0")/.."
sim_port=19180 delay_ms=20 port=19184
source bench/lib/harness.sh
bench_paths open-loop-nginx
source bench/lib/log.sh
pids=()
source bench/lib/cleanup.sh
rm -rf "$work"; mkdir -p "$logs" "$work/nginx" "$work/client"
"$java_home/bin/javac" --release 17 -d "$work/client" bench/Client.java
start_standin
sed -e "s#@WORK@#$work/nginx#g" -e "s#@PORT@#$port#" -e "s#@UPSTREAM@#127.0.0.1:$sim_port#" \
  -e "s#@API_KEY@#$api_key#" bench/nginx.conf >"$work/nginx/nginx.conf"
user=(); [[ $(id -u) != 0 ]] || user=(-g "user root;")
taskset -c 0 nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" "${user[@]}" >"$logs/nginx.log" 2>&1 &
nginx_pid=$!
pids+=("$nginx_pid")
url() { echo "http://127.0.0.1:$port/api/v1/chat_attendees/att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR/chats?limit=$1"; }
wait_for "$(url 1)" "nginx" "$nginx_pid"
for spec in ${RATES:-15481:1 10586:100}; do
  rate=${spec%%:*} items=${spec#*:}
  taskset -c 1 wrk -t1 -c64 -d3s "$(url "$items")" >/dev/null
  for round in $(seq 1 "${ROUNDS:-2}"); do
    echo "nginx $items items at $rate req/s, round $round: $(taskset -c 1 "$java" -cp "$work/client" Client rate \
      url="$(url "$items")" rate="$rate" seconds="${SECONDS_:-10}" connections=64 | grep '^RESULT')"
  done
done
