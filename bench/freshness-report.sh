#!/usr/bin/env bash
# Turns the measurements of bench/freshness.sh (DATA dir) into OUT/RESULTS.md.
# Usage: bench/freshness-report.sh DATA OUT   (freshness.sh calls it; re-runnable on a kept DATA dir)
# A verdict computed from missing, empty or non-numeric data is "missed (no data)", never "met".
# shellcheck disable=SC2154
set -euo pipefail
data=$1
out=$2
# shellcheck source=/dev/null
[[ -f $data/run.env ]] && source "$data/run.env"

field() { # RESULT line, key -> value, or nothing when the key is absent
  [[ " $1 " == *" $2="* ]] || return 0
  sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<" $1"
}
# shellcheck source=lib/verdict.sh
source "$(dirname "$0")/lib/verdict.sh"
median() { grep -E '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' || true; }
fmt() { number "${1:-}" && awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }' || echo "n/a"; }
results() { # file, target -> its RESULT lines
  grep -E "^RESULT target=$2( |$)" "$1" 2>/dev/null || true
}
values() { # file, target, key -> one value per RESULT line
  local line
  while IFS= read -r line; do
    [[ -n $line ]] && field "$line" "$3" && echo
  done <<<"$(results "$1" "$2")" | sed '/^$/d'
}

expiry=$data/expiry.txt
webhook=$data/webhook.txt
name() { [[ $1 == on ]] && echo "on (${window:-30s})" || echo "off (0)"; }

# --- expiry under load -----------------------------------------------------------------------------
expiry_rows=""
for target in on off; do
  while IFS= read -r line; do
    [[ -n $line ]] || continue
    f() { field "$line" "$1"; }
    expiry_rows+="| $(name "$target") | $(f round) | $(fmt "$(f rps)" '%.0f') | $(f expiries) | $(f upstream_calls) | $(f calls_per_expiry) | $(f calls_outside_expiries) | $(f p50_ms) / $(f p99_ms) | $(f p99_between_ms) ($(f requests_between)) | $(f p99_around_ms) ($(f requests_around)) | **$(f around_between_ratio)** | $(f expiry_p99_max_ms) | $(f span_median_ms) / $(f span_max_ms) | $(f cache) | $(f status_5xx) |"$'\n'
  done <<<"$(results "$expiry" "$target")"
done
summary_rows=""
for target in on off; do
  summary_rows+="| $(name "$target") | $(fmt "$(values "$expiry" "$target" rps | median)" '%.0f') | $(values "$expiry" "$target" p99_between_ms | median) | $(values "$expiry" "$target" p99_around_ms | median) | **$(values "$expiry" "$target" around_between_ratio | median)** | $(values "$expiry" "$target" expiries | awk '{ s += $1 } END { print s + 0 }') | $(values "$expiry" "$target" upstream_calls | awk '{ s += $1 } END { print s + 0 }') |"$'\n'
done

# window on: every round must have a number (expiries, between and around measured); the median decides
mapfile -t on_ratios < <(values "$expiry" on around_between_ratio)
on_rounds=${#on_ratios[@]}
ratio_on=$(printf '%s\n' "${on_ratios[@]+"${on_ratios[@]}"}" | median)
ratio_list=$(printf '%s\n' "${on_ratios[@]+"${on_ratios[@]}"}" | paste -sd' ' - | sed 's/ /, /g')
if ((on_rounds == 0)); then
  ratio_verdict="**missed** (no data)"
else
  ratio_verdict=$(met 'v0 <= 2' "$ratio_on" "${on_ratios[@]}")
  above=$(printf '%s\n' "${on_ratios[@]}" | awk '$1 > 2' | wc -l)
  [[ $ratio_verdict != met ]] || ((above == 0)) || ratio_verdict+=" by the median ($above of $on_rounds rounds above 2)"
fi
calls_verdict="**missed** (no data)"
calls_detail="n/a"
if ((on_rounds > 0)); then
  calls_verdict=met
  calls_detail=""
  while IFS= read -r line; do
    e=$(field "$line" expiries) c=$(field "$line" upstream_calls) o=$(field "$line" calls_outside_expiries)
    calls_detail+="${calls_detail:+, }$c/$e"
    if ! number "$e" || ! number "$c" || ! number "$o"; then
      calls_verdict="**missed** (no data)"
    elif ((e == 0)); then
      calls_verdict="**missed** (no data)"
    elif [[ $calls_verdict == met ]] && ((c != e || o != 0)); then
      calls_verdict="**missed**"
    fi
  done <<<"$(results "$expiry" on)"
fi
# window on: nobody waits for the upstream (no stored or collapsed answers); off: the old behaviour
on_waits=$(values "$expiry" on cache | tr ',' '\n' | awk -F: '$1 == "stored" || $1 == "collapsed" { s += $2 } END { print s + 0 }')
on_stale=$(values "$expiry" on cache | tr ',' '\n' | awk -F: '$1 == "revalidating" { s += $2 } END { print s + 0 }')
off_waits=$(values "$expiry" off cache | tr ',' '\n' | awk -F: '$1 == "stored" || $1 == "collapsed" { s += $2 } END { print s + 0 }')
off_stale=$(values "$expiry" off cache | tr ',' '\n' | awk -F: '$1 == "revalidating" { s += $2 } END { print s + 0 }')
ratio_off=$(values "$expiry" off around_between_ratio | median)

# --- webhook ---------------------------------------------------------------------------------------
webhook_rows=""
webhook_goal_rows=""
for target in on off; do
  line=$(results "$webhook" "$target" | tail -1)
  f() { field "$line" "$1"; }
  events_measured=$(grep -cE "^WEBHOOK target=$target " "$webhook" 2>/dev/null || true)
  ok_calls=$(grep -E "^WEBHOOK target=$target " "$webhook" 2>/dev/null | grep -c ' upstream_calls=1$' || true)
  refreshed=$(f refreshed)
  if [[ -z $line ]]; then
    one_call="**missed** (no data)"
  elif number "$refreshed" && ((refreshed == events_measured && ok_calls == events_measured && events_measured > 0)); then
    one_call=met
  else
    one_call="**missed**"
  fi
  webhook_rows+="| $(name "$target") | $events_measured | $(f refreshed) | **$(f latency_p50_ms)** / $(f latency_p95_ms) / $(f latency_max_ms) | $(f latency_min_ms) | $(f hook_p50_ms) / $(f hook_max_ms) | $(f calls_per_event) ($(f calls_min)-$(f calls_max)) | $(f poll_rps) |"$'\n'
  webhook_goal_rows+="| webhook, window $(name "$target"): event's 200 → first answer with the new page, p50 / p95 / max | $(f latency_p50_ms) / $(f latency_p95_ms) / $(f latency_max_ms) ms over $(f refreshed) events | measured (the issue sets no bound) |"$'\n'
  webhook_goal_rows+="| webhook, window $(name "$target"): every event refreshed, with one upstream call | $ok_calls of $events_measured events with exactly 1 call, $(f refreshed) refreshed | $one_call |"$'\n'
done
startups=$(awk -F'\t' '{ printf "%s%s %.1f s", (NR > 1 ? ", " : ""), $1, $2 / 1000 }' "$data/startup.tsv" 2>/dev/null || true)

cat >"$out/RESULTS.md" <<EOF
# Freshness benchmark (issue 12): stale-while-revalidate and webhook invalidation

Produced by \`bench/freshness.sh\`, started ${run_date:-?}, in ${elapsed:-?} s. Raw data: \`data/\`
(\`expiry.txt\`: one \`EXPIRY\` line per expiry and one \`RESULT\` line per round; \`webhook.txt\`: one
\`WEBHOOK\` line per event and one \`RESULT\` line per window setting).

| | |
|---|---|
| machine | ${machine:-?} |
| JDK (proxies and client) | ${jdk:-?} (\`${java_home:-?}\`) |
| load average (1/5/15 min) | before: ${load_before:-?}; after: ${load_after:-?} |
| pinning | the proxy under load on CPU 0 (\`taskset\`; the other proxy of the pair idle on the same core); the client, wrk and the stand-in on CPU 1 |
| chat-proxy | the jar as shipped (\`java -jar\`), on 127.0.0.1; expiry: \`PROXY_CACHE_TTL=${ttl:-?}\`; webhook: \`PROXY_CACHE_TTL=${webhook_ttl:-?}\` and \`PROXY_WEBHOOK_SECRET\`; window on: \`PROXY_CACHE_STALE_WHILE_REVALIDATE=${window:-?}\` (the default), off: \`=0\` |
| upstream | the simulated postpress (\`src/test/java/dev/chatproxy/demo\`), ${delay_ms:-?} ms delay |
| start-up to ready | ${startups:-?} |

## Goals

| goal | measured | |
|---|---|---|
| window on: p99 of requests around an expiry ≤ 2 × p99 between expiries (median of the per-round ratios) | $(fmt "$ratio_on" '%.2f') × (rounds: ${ratio_list:-none}) | $ratio_verdict |
| window on: one upstream call per expiry, in every round (calls/expiries) | $calls_detail; calls outside any expiry: $(values "$expiry" on calls_outside_expiries | awk '{ s += $1 } END { print s + 0 }') | $calls_verdict |
| window on: no caller waits for the upstream | $on_waits answers \`stored\`/\`collapsed\`, $on_stale \`stale-while-revalidate\` | $( ((on_rounds > 0)) && { ((on_waits == 0 && on_stale > 0)) && echo met || echo "**missed**"; } || echo "**missed** (no data)") |
| window off (reference, the old behaviour): callers wait for the refetch | $off_waits answers \`stored\`/\`collapsed\`, $off_stale \`stale-while-revalidate\`; ratio around/between $(fmt "$ratio_off" '%.2f') × | reference |
$webhook_goal_rows
## 1. Expiry under load (${connections:-?} connections on one 100-item key, TTL ${ttl:-?}, ${seconds:-?} s per round, window on and off alternating)

Both proxies are started and warmed (${warmup_seconds:-?} s of wrk each) before the rounds; the rounds alternate
between them, the order rotating every round; each round loads its proxy 1 s before the measured ${seconds:-?} s
(\`bench/Client.java\`, mode \`expiry\`, one client JVM for all rounds, which first loads each proxy for 3 s
unrecorded to warm its own code). Every request of every round: \`bench/target/freshness/requests-*.tsv\` (not kept here).

How an expiry is found and what "around" means (the same client logic as \`bench/run.sh\` section 5):
- **Expiry**: from what the answers say, whatever the setting. Every answer that is not a fresh hit —
  with the window on the expired copy (\`Cache-Status: chat-proxy; hit; ttl=-N; detail=stale-while-revalidate\`),
  with it off the request that fetched (\`stored\`) and those that waited for it (\`collapsed\`) — taken in
  the order the requests started. Such an answer opens a new expiry only when the page was provably
  refreshed since the current expiry's answers: some fresh hit was asked after one of them had been
  answered, and was itself answered before this request was asked (the server's order, whatever the
  latencies; concurrent requests never split an expiry), or when a fresh hit started since the previous
  one and it started more than the TTL after the expiry's first (for answers held back so long that the
  first rule cannot see the refresh). The expiry's **moment** is the start of its first such request, its
  **span** ends when the last of them was answered.
- **Upstream calls per expiry**: the stand-in's call count (\`/__simulator/stats\`) polled every 5 ms during
  the round (and until it stops moving for 200 ms after it); a rise belongs to the expiry whose span,
  widened by 50 ms, overlaps the poll interval. "calls/expiry" = all calls of the round / its expiries;
  "outside" = calls that fell in no expiry (expected 0).
- **Around an expiry**: requests that started within ${around_ms:-250} ms of its moment, before or after (pooled
  over the round's expiries; a request keeps its whole latency, however long it waited); **between**: every
  other request of the round. p99 is nearest-rank; the ratio is p99 around / p99 between. The **span**
  (column "span") shows what the expiry cost: with the window on, the background refresh (one upstream
  round trip) during which callers get the expired copy; with it off, the callers' wait.

| window | round | req/s | expiries | upstream calls | calls / expiry | calls outside | p50 / p99 ms (all) | p99 between ms (requests) | p99 around ms (requests) | around / between | worst p99 of one expiry ms | span median / max ms | answers | 5xx |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
$expiry_rows
Medians over the rounds:

| window | req/s | p99 between ms | p99 around ms | around / between | expiries | upstream calls |
|---|---|---|---|---|---|---|
$summary_rows
## 2. Webhook: event to refreshed page (TTL ${webhook_ttl:-?}, ${events:-?} events per window setting)

${webhook_connections:-?} connections keep asking for the same 100-item page (no pause between requests) while,
${events:-?} times (after 3 events not recorded), the chat at the top of that page gets a new message at the
stand-in (\`POST /__simulator/message?chat_id=…\`: its timestamp and unread count change; the stand-in has no
webhook configured, so it posts nothing) and then the client posts the Unipile-style \`message_received\`
event for that chat (\`account_id\`, \`chat_id\`, \`sender\` and \`attendees\` with the page's attendee) to the
proxy's \`POST /webhooks/postpress\` with the secret. **Latency**: from the moment the client read the
webhook's 200 to the moment the first answer with a different \`ETag\` (the refetched page) was read, by any
of the connections. Upstream calls per event: the stand-in's count, settled (unchanged for 100 ms), before
the message and after the refresh. The TTL is long (${webhook_ttl:-?}), so only the event can refresh the page.

| window | events | refreshed | latency p50 / p95 / max ms | min ms | webhook's own answer p50 / max ms | upstream calls per event (min-max) | page req/s meanwhile |
|---|---|---|---|---|---|---|---|
$webhook_rows
Per event (\`data/webhook.txt\`): \`first_cache\` is the \`Cache-Status\` of the first new answer (window on: a
fresh \`hit\` once the background refresh stored the page; off: \`stored\`/\`collapsed\`, a caller that waited
for the refetch), \`old_answers_after_200\` the answers to requests started after the 200 that still carried
the old page (window on: the expired copy served during the refresh; off: 0, they wait).

## Rerun

\`bench/freshness.sh\` from the repository root (about 4-5 minutes on a quiet 2-core machine; \`BENCH_SKIP_BUILD=1\`
reuses \`target/\`; \`BENCH_JDK\` picks the JDK; knobs at the top of the script). \`bench/freshness-report.sh
bench/results/freshness/data bench/results/freshness\` rewrites this file from kept data. On a busy machine the
absolute numbers say little (see the load average above): the ratios and the call counts are the findings.
EOF
