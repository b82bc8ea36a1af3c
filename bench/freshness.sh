#!/usr/bin/env bash
# Freshness benchmark of issue 12 (stale-while-revalidate and webhook invalidation), not part of CI:
#  1. expiry under load: two proxies with a short TTL, the stale-while-revalidate window on (the
#     shipped 30s) and off (0), measured in alternating rounds by bench/Client.java's expiry mode;
#  2. webhook: two proxies with a long TTL and a webhook secret (window on and off); a chat changes
#     at the stand-in, the client posts the event to the proxy's webhook and times from its 200 to
#     the first answer carrying the new page.
# Usage: bench/freshness.sh   (from anywhere; about 4-5 minutes on a quiet 2-core machine)
# Writes bench/results/freshness/RESULTS.md and bench/results/freshness/data/ (bench/freshness-report.sh).
# Knobs (environment): BENCH_JDK (JDK home of the proxies and the client; default Temurin 25 where
# installed), BENCH_SKIP_BUILD (1 reuses target/), BENCH_DELAY_MS (20, the stand-in's delay),
# FRESHNESS_ROUNDS (3 per window setting), FRESHNESS_SECONDS (8 per round), FRESHNESS_TTL (2s),
# FRESHNESS_CONNECTIONS (64), FRESHNESS_WARMUP_SECONDS (10 of wrk per proxy), FRESHNESS_AROUND_MS (250),
# FRESHNESS_EVENTS (20 per window setting), FRESHNESS_WEBHOOK_CONNECTIONS (4),
# FRESHNESS_PORT_BASE (18180: ports base..base+7 and base+10), FRESHNESS_OUT (bench/results/freshness).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)

rounds=${FRESHNESS_ROUNDS:-3}
seconds=${FRESHNESS_SECONDS:-8}
ttl=${FRESHNESS_TTL:-2s}
connections=${FRESHNESS_CONNECTIONS:-64}
warmup_seconds=${FRESHNESS_WARMUP_SECONDS:-10}
around_ms=${FRESHNESS_AROUND_MS:-250}
events=${FRESHNESS_EVENTS:-20}
webhook_connections=${FRESHNESS_WEBHOOK_CONNECTIONS:-4}
delay_ms=${BENCH_DELAY_MS:-20}
window=30s # the shipped default of proxy.cache.stale-while-revalidate, set explicitly
webhook_ttl=10m
port_base=${FRESHNESS_PORT_BASE:-18180}
sim_port=$((port_base + 10))
source bench/lib/harness.sh
bench_paths freshness "${FRESHNESS_OUT:-}"
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR
source bench/lib/log.sh
run_date=$(date -u '+%Y-%m-%d %H:%M UTC')

# --- every process this script starts is in pids, and stopped by pid on any exit ----------------
pids=()
source bench/lib/cleanup.sh

# --- processes -------------------------------------------------------------------------------------

# name, port, ttl, window; the jar as shipped on CPU 0, application and management port on 127.0.0.1
start_proxy() {
  local name=$1 port=$2 t0 pid
  log "starting proxy $name (ttl $3, stale-while-revalidate $4) on CPU 0, port $port; log $logs/proxy-$name.log"
  t0=$(date +%s%3N)
  env POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$port" MANAGEMENT_SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_PORT=$((port + 1)) \
    PROXY_CACHE_TTL="$3" PROXY_CACHE_STALE_WHILE_REVALIDATE="$4" PROXY_WEBHOOK_SECRET=$secret \
    taskset -c 0 "$java" -jar "$jar" >"$logs/proxy-$name.log" 2>&1 &
  pid=$!
  pids+=("$pid")
  proxy_pid=$pid
  wait_for "http://127.0.0.1:$((port + 1))/actuator/health/readiness" "proxy $name" "$pid"
  printf '%s\t%s\n' "$name" $(($(date +%s%3N) - t0)) >>"$data/startup.tsv"
}

page_url() { echo "http://127.0.0.1:$1/attendees/$attendee/chats?limit=100"; }

client() { taskset -c 1 "$java" -cp "$work/client" Client "$@"; }

prime() { # ports...: the page cached by one request first; a fresh JVM's first upstream call is slow
  local port attempt
  for port in "$@"; do
    for attempt in 1 2 3 4 5; do
      curl -sf -o /dev/null --max-time 60 "$(page_url "$port")" && continue 2
      log "proxy on port $port: no page yet (attempt $attempt)"
    done
    die "proxy on port $port never answered its page"
  done
}

warm_up() { # seconds, ports...: wrk on each proxy's page, in halves, alternating
  local half=$(($1 / 2)) port
  shift
  ((half > 0)) || return 0
  for _ in 1 2; do
    for port in "$@"; do
      taskset -c 1 wrk -t1 -c"$connections" -d"${half}s" --timeout 10s "$(page_url "$port")" >>"$logs/warmup.txt"
    done
  done
}

# --- main ----------------------------------------------------------------------------------------
for port in $(seq "$port_base" $((port_base + 7))) "$sim_port"; do
  port_free "$port" || die "port $port is in use (set FRESHNESS_PORT_BASE)"
done
for tool in wrk taskset curl; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y ${tool/taskset/util-linux})"
done
mkdir -p "$work"
build bench/Client.java
rm -rf "$data" "$logs"
mkdir -p "$data" "$logs"
: >"$data/startup.tsv"
machine="$(lscpu | sed -nE 's/^Model name: *//p' | head -1), $(nproc) cores, $(free -g | awk '/^Mem:/ { print $2 }') GiB"
jdk=$("$java" -version 2>&1 | head -1 | tr -d '"')
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
log "machine: $machine; load average: $load_before; JDK: $jdk ($java_home)"

start_standin
on_port=$port_base off_port=$((port_base + 2))
start_proxy on "$on_port" "$ttl" "$window"
pid_on=$proxy_pid
start_proxy off "$off_port" "$ttl" 0
pid_off=$proxy_pid
log "warming both expiry proxies: ${warmup_seconds} s of wrk each, $connections connections"
prime "$on_port" "$off_port"
warm_up "$warmup_seconds" "$on_port" "$off_port"
log "expiry under load: $rounds rounds of ${seconds} s per window setting, alternating, ttl $ttl"
client expiry "target.on=$(page_url "$on_port")" "target.off=$(page_url "$off_port")" "connections=$connections" \
  "seconds=$seconds" "rounds=$rounds" "ttl=$ttl" "around_ms=$around_ms" warm_ms=1000 \
  prewarm_ms=3000 "dump=$work/requests" "stats=http://127.0.0.1:$sim_port/__simulator/stats" | tee "$data/expiry.txt" | grep '^RESULT' | cut -c1-200 >&2 ||
  log "the expiry client failed (see $data/expiry.txt)"
stop "$pid_on"
stop "$pid_off"

hook_on_port=$((port_base + 4)) hook_off_port=$((port_base + 6))
start_proxy hook_on "$hook_on_port" "$webhook_ttl" "$window"
pid_hook_on=$proxy_pid
start_proxy hook_off "$hook_off_port" "$webhook_ttl" 0
pid_hook_off=$proxy_pid
log "warming both webhook proxies: $((warmup_seconds / 2)) s of wrk each"
prime "$hook_on_port" "$hook_off_port"
warm_up $((warmup_seconds / 2)) "$hook_on_port" "$hook_off_port"
: >"$data/webhook.txt"
for target in on off; do
  port=$hook_on_port
  [[ $target == on ]] || port=$hook_off_port
  log "webhook, window $target: $events events, $webhook_connections connections polling the page"
  client webhook "target=$target" "url=$(page_url "$port")" "hook=http://127.0.0.1:$port/webhooks/postpress" \
    "secret=$secret" "message=http://127.0.0.1:$sim_port/__simulator/message" \
    "stats=http://127.0.0.1:$sim_port/__simulator/stats" "connections=$webhook_connections" "events=$events" \
    warm_events=3 | tee -a "$data/webhook.txt" | grep '^RESULT' | cut -c1-200 >&2 ||
    log "the webhook client failed for window $target (see $data/webhook.txt)"
done
stop "$pid_hook_on"
stop "$pid_hook_off"
stop "$standin_pid"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
elapsed=$(($(date +%s) - started_at))
declare -p run_date machine jdk java_home load_before load_after elapsed rounds seconds ttl connections \
  warmup_seconds around_ms events webhook_connections delay_ms window webhook_ttl >"$data/run.env"
bench/freshness-report.sh "$data" "$out"
log "done in ${elapsed} s: $out/RESULTS.md"
