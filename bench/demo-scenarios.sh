#!/usr/bin/env bash
# Drives the running demo (./mvnw spring-boot:test-run) through the cache and resilience
# scenarios and prints upstream call counts, Cache-Status values, statuses and latencies.
# Usage: bench/demo-scenarios.sh SIMULATOR_PORT [PROXY_PORT]
set -euo pipefail
sim="http://127.0.0.1:${1:?simulator port, from the demo log line}"
proxy="http://127.0.0.1:${2:-8080}"
attendee=att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR

calls() { curl -s "$sim/__simulator/stats" | sed -E 's/.*"calls":([0-9]+).*/\1/'; }
mode() { curl -s -o /dev/null -X POST "$sim/__simulator/mode?$1"; }
get() { # prints: status, seconds, Cache-Status or Retry-After
  curl -s -o /dev/null -D /tmp/demo-headers.$$ -w '%{http_code} %{time_total}s' "$proxy$1"
  printf ' %s\n' "$(grep -iE '^(cache-status|retry-after):' /tmp/demo-headers.$$ | tr -d '\r' || true)"
}
section() { printf '\n== %s\n' "$1"; }
management="${proxy%:*}:8081"
breaker() { curl -s "$management/actuator/circuitbreakers" | grep -o '"state":"[A-Z_]*"' | head -1; }
# each resilience section starts from a closed breaker, so that it shows what it says
reset_breaker() {
  curl -s -o /dev/null -X POST -H 'Content-Type: application/json' -d '{"updateState":"CLOSE"}' \
    "$management/actuator/circuitbreakers/postpress"
  echo "breaker reset: $(breaker)"
}

curl -s -o /dev/null -X POST "$sim/__simulator/reset"
curl -s -o /dev/null -X DELETE "$management/actuator/caches"
reset_breaker

section "cache: cold request, then a repeat"
before=$(calls); get "/attendees/$attendee/chats?limit=10"; get "/attendees/$attendee/chats?limit=10"
echo "upstream calls: $(( $(calls) - before ))"

section "cache: 50 concurrent identical cold requests"
before=$(calls)
python3 - "$proxy/attendees/$attendee/chats?limit=11" 50 <<'PY'
import sys, threading, time, urllib.request, collections
url, n = sys.argv[1], int(sys.argv[2])
gate, results = threading.Barrier(n), []
def call():
    gate.wait()
    start = time.monotonic()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        results.append((response.status, response.headers.get("Cache-Status"), time.monotonic() - start))
threads = [threading.Thread(target=call) for _ in range(n)]
for t in threads: t.start()
for t in threads: t.join()
for (status, cache), count in sorted(collections.Counter((r[0], r[1]) for r in results).items()):
    print(f"{count:3d} x {status} {cache}")
latencies = sorted(r[2] for r in results)
print(f"latency p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms")
PY
echo "upstream calls: $(( $(calls) - before ))"

section "cache: request after the TTL (30s) with the upstream down (503)"
before=$(calls); get "/attendees/$attendee/chats?limit=12"
echo "waiting 31s for the TTL to pass..."; sleep 31
mode "mode=error&status=503"
get "/attendees/$attendee/chats?limit=12"
echo "upstream calls: $(( $(calls) - before )) (1 fill + 3 attempts)"
mode "mode=healthy"

section "resilience: transient 503 burst (2 failures, then healthy)"
reset_breaker
mode "mode=error&status=503&times=2"; before=$(calls)
get "/attendees/$attendee/chats?limit=13"
echo "upstream calls: $(( $(calls) - before ))"

echo "breaker after the absorbed burst: $(breaker)"

section "resilience: persistent outage (500), distinct pages until the breaker opens"
reset_breaker
mode "mode=error&status=500"; before=$(calls)
for i in $(seq 20 34); do printf 'limit=%s ' "$i"; get "/attendees/$attendee/chats?limit=$i"; done
echo "upstream calls: $(( $(calls) - before ))"
echo "breaker: $(breaker)"

section "resilience: recovery (healthy upstream; breaker half-opens after its wait)"
mode "mode=healthy"; before=$(calls)
for i in $(seq 1 40); do
  out=$(get "/attendees/$attendee/chats?limit=$((40 + i))")
  echo "t+${i}s $out"
  case "$out" in 200*) break ;; esac
  sleep 1
done
get "/attendees/$attendee/chats?limit=99"
echo "upstream calls: $(( $(calls) - before ))"
echo "breaker: $(breaker)"
rm -f /tmp/demo-headers.$$
