#!/usr/bin/env bash
# Turns the measurements of bench/fleet/run.sh (DATA dir) into OUT/RESULTS.md.
# Usage: bench/fleet/report.sh DATA OUT   (run.sh calls it; it can be re-run on a kept DATA dir)
# A verdict computed from missing, empty or non-numeric data is "missed (no data)", never "met".
# shellcheck disable=SC2154
set -euo pipefail
data=$1
out=$2
# shellcheck source=/dev/null
[[ -f $data/run.env ]] && source "$data/run.env"

field() { sed -nE "s/.*[ ]$2=([^ ]*).*/\1/p" <<<"$1"; }
number() { [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }
median() { grep -E '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' || true; }
fmt() { number "${1:-}" && awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }' || echo "n/a"; }
ms() { number "${1:-}" && awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }' || echo "n/a"; }
minus() { number "${1:-}" && number "${2:-}" && awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }' || echo "nan"; }
list() { paste -sd' ' - | sed 's/ /, /g'; }
met() { # awk condition on v0, v1...: "met" only when every value is a number and it holds
  local condition=$1 args=() i=0 v
  shift
  for v in "$@"; do
    number "$v" || { echo "**missed** (no data)"; return; }
    args+=(-v "v$i=$v")
    i=$((i + 1))
  done
  # a smoke run's short rounds on cold JITs are no measurement: no verdict either way
  [[ ${quick:-0} != 1 ]] || { echo "no verdict (QUICK=1)"; return; }
  local verdict=met
  awk "${args[@]}" "BEGIN { exit !($condition) }" || verdict="**missed**"
  # measured beside other work: said with the verdict, whichever it is
  if awk -v l="${load_before%% *}" 'BEGIN { exit !(l + 0 > 1.0) }'; then
    verdict+=" (load average ${load_before%% *} before the run: noisy, to be confirmed on a quiet machine)"
  fi
  echo "$verdict"
}

# --- 1. upstream calls per key per TTL ------------------------------------------------------------
spread_rows=""
while IFS=$'\t' read -r mode round fallbacks errors load line; do
  spread_rows+="| $mode | $round | $(field "$line" upstream_calls) | $(field "$line" keys) | $(fmt "$(field "$line" window_s)" '%.1f') s | $(fmt "$(field "$line" periods)" '%.2f') | **$(fmt "$(field "$line" calls_per_key_per_ttl)" '%.2f')** | $(field "$line" requests) | $(field "$line" non200) | $(field "$line" cache) | $(field "$line" fill) | $(ms "$(field "$line" hit_p50_us)") / $(ms "$(field "$line" hit_p99_us)") | $(ms "$(field "$line" revalidating_p50_us)") / $(ms "$(field "$line" revalidating_p99_us)") | $fallbacks / $errors | $load |"$'\n'
done <"$data/spread.tsv"
per_ttl() { awk -F'\t' -v m="$1" '$1 == m' "$data/spread.tsv" | cut -f6 | while read -r line; do field "$line" calls_per_key_per_ttl; done; }
off_per_ttl=$(per_ttl off | median)
on_per_ttl=$(per_ttl on | median)
spread_fallbacks=$(awk -F'\t' '$1 == "on" { s += $3 + $4 } END { print s + 0 }' "$data/spread.tsv")

# --- 2. local-hit throughput ------------------------------------------------------------------------
tcol() { awk -F'\t' -v m="$1" -v c="$2" '$1 == m { print $c }' "$data/throughput.tsv"; }
ratios=$(awk -F'\t' '{ v[$2, $1] = $3; r[$2] = 1 } END { for (k in r) if (v[k, "off"] > 0 && v[k, "on"] != "") printf "%s %.3f\n", k, v[k, "on"] / v[k, "off"] }' \
  "$data/throughput.tsv" | sort -n | cut -d' ' -f2)
ratio=$(median <<<"$ratios")
cpu_ratio=$(awk -F'\t' '{ v[$2, $1] = $8; r[$2] = 1 } END { for (k in r) if (v[k, "off"] > 0 && v[k, "on"] > 0) printf "%.3f\n", v[k, "on"] / v[k, "off"] }' \
  "$data/throughput.tsv" | median)
throughput_rows=""
while IFS=$'\t' read -r mode round rps p50 p99 non2xx errors cpu redis upstream _; do
  throughput_rows+="| $round | $mode | $(fmt "$rps" '%.0f') | $(ms "$p50") | $(ms "$p99") | $(fmt "$cpu" '%.1f') | $redis | $upstream | $non2xx / $errors |"$'\n'
done <"$data/throughput.tsv"
warmup_rows=$(awk -F'\t' '{ split($3, a, "rps="); split(a[2], b, " "); printf "%s%s %s: %.0f req/s", (NR > 1 ? "; " : ""), $1, $2, b[1] }' "$data/warmup.tsv" 2>/dev/null || true)
on_redis=$(tcol on 9 | median)
if [[ -n ${warmup_done:-} ]]; then
  warmup_text="${warmup_done} warm-up run(s) of ${warmup_seconds:-?} s on each, alternating, stopping once two runs in a row of each agree within 5% (at most ${warmup_cycles:-?})"
else # runs before the warm-up stopped on its own
  warmup_text="${warmup_cycles:-?} warm-up run(s) of ${warmup_seconds:-?} s on each, alternating"
fi

# --- 3 and 4. latency -------------------------------------------------------------------------------
step() { # size, step name, key -> value
  local line
  line=$(grep "^STEP name=$2 " "$data/latency-$1.txt" 2>/dev/null || true)
  [[ -n $line ]] && field "$line" "$3" || echo "nan"
}
latency_rows=""
shared_goal_rows=""
miss_rows=""
latency_summary=""
checks=""
for size in 1 100; do
  [[ -f $data/latency-$size.txt ]] || continue
  for s in on_miss on_shared on_local off_miss off_local; do
    case $s in
      on_miss) what="miss, fleet on (replica on1: Redis read, lease, call, Redis write, publish)" ;;
      on_shared) what="shared hit, fleet on (replica on2: local miss, page from Redis)" ;;
      on_local) what="local hit, fleet on (replica on2, same page again)" ;;
      off_miss) what="miss, fleet off (replica off1)" ;;
      off_local) what="local hit, fleet off (replica off1, same page again)" ;;
    esac
    latency_rows+="| $size | $what | $(step "$size" "$s" n) | $(ms "$(step "$size" "$s" p50_us)") | $(ms "$(step "$size" "$s" p90_us)") | $(ms "$(step "$size" "$s" p99_us)") | $(ms "$(step "$size" "$s" mean_us)") | $(step "$size" "$s" cache) |"$'\n'
  done
  row=$(awk -F'\t' -v s="$size" '$1 == s' "$data/latency.tsv")
  IFS=$'\t' read -r _ shared_hits local_misses fallbacks errors result <<<"$row"
  n=$(step "$size" on_shared n)
  warm=$(field "${result:-}" warm)
  calls=$(field "${result:-}" upstream_calls)
  # a shared hit answers "chat-proxy; hit; ttl=N" like a local hit (CONTRACT.md section 3 has no
  # word for it): it is proven by the first request of the page on on2 being a hit, on2's
  # shared-hit counter and the simulator's call count
  n0=0 warm0=0
  number "$n" && n0=$n
  number "${warm:-}" && warm0=$warm
  verified=yes
  why=""
  if [[ $(step "$size" on_shared cache) != "200_hit:$n" ]]; then
    verified=no why+="on_shared answers: $(step "$size" on_shared cache); "
  fi
  if ((n0 == 0)) || [[ ${shared_hits:-} != $((n0 + warm0)) ]]; then
    verified=no why+="on2's shared hits +${shared_hits:-?}, expected $((n0 + warm0)); "
  fi
  if [[ ${calls:-} != $((2 * n0)) ]]; then
    verified=no why+="upstream calls ${calls:-?}, expected $((2 * n0)) (one per miss); "
  fi
  if [[ $(step "$size" on_miss cache) != "200_stored:$n" || $(step "$size" off_miss cache) != "200_stored:$n" ]]; then
    verified=no why+="misses answered $(step "$size" on_miss cache) / $(step "$size" off_miss cache); "
  fi
  checks+="- $size-item pages: on_shared answered \`$(step "$size" on_shared cache)\`; on2 counted +${shared_hits:-?} \`chatproxy_cache_shared_total{result=\"hit\"}\` and +${local_misses:-?} local misses (\`cache_gets_total{result=\"miss\"}\`) for $n measured + ${warm:-?} warm-up pages; the simulator saw ${calls:-?} calls for the $n measured pages (expected $((2 * n0)): the two misses); fleet fallbacks / shared-tier errors during the pass: ${fallbacks:-?} / ${errors:-?}. Verified: **$verified**${why:+ ($why)}"$'\n'
  shared_p50=$(step "$size" on_shared p50_us)
  local_p50=$(step "$size" on_local p50_us)
  added=$(minus "$shared_p50" "$local_p50")
  verdict=$(met 'v0 <= 1000' "$added")
  [[ $verified == yes || $verdict != met* ]] || verdict="**missed** (not verified as shared hits)"
  shared_goal_rows+="| shared hit, $size-item page: p50 shared hit − p50 local hit on the same replica | ≤ 1 ms | $(ms "$added") ms ($(ms "$shared_p50") − $(ms "$local_p50")) | $verdict |"$'\n'
  miss_p50=$(minus "$(step "$size" on_miss p50_us)" "$(step "$size" off_miss p50_us)")
  miss_p99=$(minus "$(step "$size" on_miss p99_us)" "$(step "$size" off_miss p99_us)")
  miss_rows+="| miss, $size-item page: fleet on − fleet off | none given (reported) | p50 $(ms "$miss_p50") ms, p99 $(ms "$miss_p99") ms | reported |"$'\n'
  latency_summary+="| $size | $(ms "$(step "$size" off_local p50_us)") | $(ms "$local_p50") | $(ms "$shared_p50") | **$(ms "$added")** | $(ms "$(step "$size" off_miss p50_us)") | $(ms "$(step "$size" on_miss p50_us)") | **$(ms "$miss_p50")** | $(ms "$miss_p99") |"$'\n'
done

mode_line="full run"
[[ ${quick:-0} == 1 ]] && mode_line="QUICK=1 smoke run (short windows, one round, few pages): checks the harness, **no verdicts**"

cat >"$out/RESULTS.md" <<EOF
# Fleet mode benchmark (issue #10)

\`bench/fleet/run.sh\` on $run_date ($mode_line), $(fmt "${elapsed:-}" '%.0f') s in all ($(fmt "${ready_s:-}" '%.0f') s to start everything).

- Machine: ${machine:-?}. **Load average** (1, 5, 15 min): before ${load_before:-?}; when the measurements began ${load_measure:-?}; after ${load_after:-?}.
  The machine was shared with other work unless the load average says otherwise: on 2 cores, anything above ~1 means the numbers are noisy.
- JDK: ${jdk_version:-?} (\`${java_home:-?}\`), jar as built (\`java -XX:ActiveProcessorCount=1 -jar\`, default logging, access log and metrics on); Redis ${redis_version:-?} (\`redis-server\`, no persistence).
- Fleet replicas that exited at start (Redis handshake not done within \`proxy.cache.redis-timeout\`) and were started again: ${failed_starts:-none}.
- Six replicas at once: off1-off3 (fleet mode off) and on1-on3 (\`PROXY_CACHE_SHARED=redis\`, \`SPRING_DATA_REDIS_URL=redis://127.0.0.1:…\`, \`proxy.cache.redis-timeout\` ${redis_timeout:-as shipped, 100ms}); every replica \`PROXY_CACHE_TTL=${ttl:-?}\`, \`proxy.cache.stale-while-revalidate\` as shipped (30s), pinned to CPU 0 once ready. Redis, the simulated postpress (${delay_ms:-?} ms per call), wrk and the client on CPU 1. Only the replicas of the scenario at hand get requests.

## Goals

| goal | target | measured | verdict |
|---|---|---|---|
| upstream calls per key per TTL, three replicas, fleet on (off for comparison) | N → 1 (≤ 1.10 with fleet on) | on $(fmt "$on_per_ttl" '%.2f'), off $(fmt "$off_per_ttl" '%.2f') (median of rounds) | $(met 'v0 <= 1.10' "$on_per_ttl") |
| local-hit throughput, fleet on / off (median of the per-round ratios) | ≥ 0.95 | $(fmt "$ratio" '%.3f') (rounds: $(list <<<"$ratios")) | $(met 'v0 >= 0.95' "$ratio") |
${shared_goal_rows}${miss_rows}
## 1. Upstream calls per key per TTL

Load average when it began: ${load_spread:-?}.

$(fmt "${keys:-}" '%d') keys (1-item pages), ${conns_per_replica:-?} connections per replica with ${pace_ms:-?} ms between a connection's requests, round robin over the keys, on the three replicas of one mode at a time. Each round first asks replica 1, 2, then 3 for every key once (the first fetches; with fleet on, replicas 2 and 3 answer from Redis), then runs the load ${spread_warm_s:-?} s before it counts the simulator's calls (\`/__simulator/stats\`) over a window of ${spread_seconds:-?} s. Calls per key per TTL = calls / (keys × window / TTL). Stale-while-revalidate is on as shipped (30s), so every call in the window is a background refresh of an expired page; a refresh comes with the first request after expiry, so a key's cycle is a little longer than the TTL and one replica alone makes slightly under 1 call per key per TTL. Modes alternate (off, on; then on, off).

| fleet | round | upstream calls | keys | window | TTL periods | calls per key per TTL | requests | non-200 | Cache-Status in the window | first pass (status_Cache-Status) | hit p50 / p99 ms | revalidating p50 / p99 ms | fleet fallbacks / shared errors | load average |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
${spread_rows}
Fleet on, fallbacks and shared-tier errors over all rounds: ${spread_fallbacks} (a replica that falls back to working alone makes its own calls). "revalidating" is the request that found its page expired and got it at once (\`detail=stale-while-revalidate\`), or one that came while the refresh ran; with fleet on, the request that starts the refresh also waits for two Redis commands (the shared copy, then the lease) on its own thread before it is answered (\`PageCache.cached\` → \`start\` → \`RedisSharedTier.get\` / \`load\`).

## 2. Local-hit throughput, fleet on vs off

Load average when it began: ${load_throughput:-?}.

One replica at a time (off1, then on1, alternating; the order flips every round), one key, 1-item page, wrk \`-t1 -c${connections:-?}\` on CPU 1 for ${seconds:-?} s per round, after ${warmup_text}: ${warmup_rows:-none}. With TTL ${ttl:-?} each replica also refreshes the page every ~${ttl:-?} in the background (a few Redis commands with fleet on). CPU per request: the replica's user + system time over the round / requests. Redis commands: Redis' \`total_commands_processed\` over the round, from every client (the idle fleet-on replicas included).

| round | fleet | req/s | p50 ms | p99 ms | CPU µs/request | Redis commands | upstream calls | non-2xx / errors |
|---|---|---|---|---|---|---|---|---|
${throughput_rows}
Median on/off: throughput $(fmt "$ratio" '%.3f'); CPU per request $(fmt "$cpu_ratio" '%.3f') (on a busy machine the CPU per request is steadier than req/s). Redis commands during a fleet-on round (median): ${on_redis} (local hits do not touch Redis; the rest is the page's refresh every TTL, the replica's health and subscription).

## 3 and 4. Latency of a shared hit and of a miss

Load average when it began: ${load_latency:-?}.

One client on CPU 1, one keep-alive connection per replica, requests one after another. For each of ${latency_keys:-?} distinct pages (after ${latency_warm:-?} unrecorded ones): a miss on on1 (fetched, stored in Redis), the same page on on2 (a local miss answered from Redis: the shared hit), again on on2 (a local hit), then a miss on off1 and the same page again on off1. Latency is the client's, from writing the request to the last byte of the answer.

| page | request | n | p50 ms | p90 ms | p99 ms | mean ms | status and Cache-Status |
|---|---|---|---|---|---|---|---|
${latency_rows}
| page | local hit, off (p50 ms) | local hit, on | shared hit | shared − local hit | miss, off | miss, on | miss on − off (p50) | miss on − off (p99) |
|---|---|---|---|---|---|---|---|---|
${latency_summary:-}
What each request was: a shared hit answers \`Cache-Status: chat-proxy; hit; ttl=N\`, the same words as a local hit (\`PageFlight.Status.SHARED_HIT\` → \`CacheStatus.HIT\`; README "Fleet mode"), so the header alone cannot tell them apart. The run checks it three ways: the page's first request on on2 must answer \`hit\` (it cannot be in on2's own cache yet), on2's \`chatproxy_cache_shared_total{result="hit"}\` must grow by one per page, and the simulator must see exactly the two misses per page.
${checks}
## How to rerun

\`\`\`
bench/fleet/run.sh                       # full run, about 5 minutes on a quiet 2-core machine (start-up of six JVMs: ~1 of them)
QUICK=1 bench/fleet/run.sh               # smoke run, about 2-3 minutes, no verdicts
BENCH_SKIP_BUILD=1 bench/fleet/run.sh    # reuse target/*.jar and target/test-classes
bench/fleet/report.sh bench/results/fleet/data bench/results/fleet   # this file again from data/
\`\`\`

Knobs are listed at the top of \`bench/fleet/run.sh\` (JDK, ports, TTL, keys, rounds, seconds, pages). Raw data: \`data/\` (\`spread.tsv\`, \`throughput.tsv\`, \`warmup.tsv\`, \`latency-*.txt\`, every request of the latency passes in \`latency-*-raw.tsv.gz\`, the replicas' warnings in \`warnings-*.log\`, the run's settings in \`run.env\`). Needs \`redis-server\`, \`redis-cli\`, \`wrk\`, \`taskset\` and \`curl\`; listens on 127.0.0.1 only.
EOF
echo "$out/RESULTS.md"
