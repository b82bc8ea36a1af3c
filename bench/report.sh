#!/usr/bin/env bash
# Turns the measurements of bench/run.sh (DATA dir) into OUT/RESULTS.md and OUT/chart.png.
# Usage: bench/report.sh DATA OUT   (run.sh calls it; it can be re-run on a kept DATA dir)
# Variables of the run (machine, JDKs, rounds...) come from data/run.env.
# A verdict computed from missing, empty or non-numeric data is "missed (no data)", never "met".
# shellcheck disable=SC2154
set -euo pipefail
data=$1
out=$2
[[ -f $data/run.env ]] && source "$data/run.env"

field() { sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<"$1"; }
median() { grep -E '^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }' || true; }
column() { # jdk tag, scenario, column (4 rps, 5 p50_us, 6 p99_us, 7 non2xx, 9 CPU us/request) -> one value per round
  awk -F'\t' -v t="$1" -v s="$2" -v c="$3" '$1 == t && $2 == s { print $c }' "$data/rounds.tsv"
}
list() { paste -sd' ' - | sed 's/ /, /g'; }
# shellcheck source=lib/verdict.sh
source "$(dirname "$0")/lib/verdict.sh"
fmt() { number "$1" && awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }' || echo "n/a"; }
ms() { number "$1" && awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }' || echo "n/a"; }
ratios() { # jdk tag, scenario a, scenario b, column -> a/b per round (rounds where both exist)
  paste <(column "$1" "$2" "$4") <(column "$1" "$3" "$4") |
    awk 'NF == 2 && $2 > 0 { printf "%.3f\n", $1 / $2 }'
}
spread() { # per-round values -> "rounds: min-max"
  sort -g | awk 'NR == 1 { lo = $1 } { hi = $1; n++ } END { if (n) printf "rounds: %.2f-%.2f", lo, hi; else print "rounds: none" }'
}
startup_median() { # jdk tag, variant, column (4 ms to ready -> seconds, 6 CPU seconds)
  awk -F'\t' -v t="$1" -v s="startup-$2" -v c="$3" '$1 == t && $2 == s { print (c == 4) ? $4 / 1000 : $6 }' "$data/startup.tsv" 2>/dev/null | median
}
tags=$(cut -f1 "$data/rounds.tsv" | sort -u | sort -V)
first_tag=$(head -1 <<<"$tags")

# --- hit path against the references, per JDK ----------------------------------------------------
names() { case $1 in proxy) echo "chat-proxy as shipped" ;; quiet) echo "chat-proxy, access log off" ;;
  ceiling) echo "plain Spring Boot MVC, precomputed bytes (own JVM)" ;; nginx) echo "nginx proxy_cache (1 worker)" ;;
  gateway) echo "Spring Cloud Gateway 5.0, LocalResponseCache" ;; *) echo "$1" ;; esac; }
hit_rows=""
goal_rows=""
chart_rows=""
for tag in $tags; do
  for size in 1 100; do
    for who in nginx ceiling gateway proxy quiet; do
      rps=$(column "$tag" "$who-$size" 4 | median)
      [[ $rps == nan ]] && continue
      p50=$(column "$tag" "$who-$size" 5 | median)
      p99=$(column "$tag" "$who-$size" 6 | median)
      bad=$(column "$tag" "$who-$size" 7 | awk '{ s += $1 } END { print s + 0 }')
      cpu=$(column "$tag" "$who-$size" 9 | median)
      hit_rows+="| $tag | $size | $(names "$who") | $(fmt "$rps" '%.0f') ($(column "$tag" "$who-$size" 4 | awk '{ printf "%.0f\n", $1 }' | list)) | $(ms "$p50") | $(ms "$p99") | $(fmt "$cpu" '%.0f') | $bad |"$'\n'
      [[ $size == 1 ]] && chart_rows+="$tag $who"$'\t'"$rps"$'\t'"$(ms "$p99")"$'\n'
    done
    for ref in gateway nginx ceiling quiet; do
      r=$(ratios "$tag" "proxy-$size" "$ref-$size" 4)
      [[ -n $r ]] || continue
      c=$(ratios "$tag" "$ref-$size" "proxy-$size" 9)
      hit_rows+="| $tag | $size | **ratio chat-proxy / $([[ $ref == quiet ]] && echo "itself with the access log off" || echo "$ref")** | **$(fmt "$(median <<<"$r")" '%.2f')** (per round: $(list <<<"$r")) | | | $(fmt "$(median <<<"$c")" '%.2f') | |"$'\n'
    done
  done
  # the goals of issue 24, on both pages; each ratio's median with its spread over the rounds
  jdk_major=${tag#jdk}
  nginx_goal=$([[ $jdk_major -ge 25 ]] && echo 0.8 || echo 0.7)
  miss_goal=$([[ $jdk_major -ge 25 ]] && echo 1 || echo 2)
  for size in 1 100; do
    tail_ratio=$(paste <(column "$tag" "proxy-$size" 6) <(column "$tag" "proxy-$size" 5) | awk 'NF == 2 && $2 > 0 { printf "%.2f\n", $1 / $2 }' | median)
    goal_rows+="| $tag | hit p99 ≤ 5 × hit p50 at $connections connections, $size-item | p99/p50 $(fmt "$tail_ratio" '%.1f') ($(ms "$(column "$tag" "proxy-$size" 6 | median)") / $(ms "$(column "$tag" "proxy-$size" 5 | median)") ms) | $(met 'v0 <= 5' "$tail_ratio") |"$'\n'
    open_p99=$(awk -F'\t' -v t="$tag" -v s="open-loop-$size" '$1 == t && $2 == s { print $7 / 1000 }' "$data/open-loop.tsv" 2>/dev/null | median)
    goal_rows+="| $tag | open loop at half the saturated rate: hit p99 ≤ 2 ms, $size-item | $(fmt "$open_p99" '%.2f') ms | $(met 'v0 <= 2' "$open_p99") |"$'\n'
    r=$(ratios "$tag" "proxy-$size" "nginx-$size" 4)
    goal_rows+="| $tag | hit throughput ≥ $nginx_goal × nginx's, $size-item | $(fmt "$(median <<<"$r")" '%.2f') × ($(spread <<<"$r")) | $(met "v0 >= $nginx_goal" "$(median <<<"$r")") |"$'\n'
    r=$(ratios "$tag" "proxy-$size" "gateway-$size" 4)
    goal_rows+="| $tag | hit throughput ≥ 1.5 × Spring Cloud Gateway's, $size-item | $(fmt "$(median <<<"$r")" '%.2f') × ($(spread <<<"$r")) | $(met 'v0 >= 1.5' "$(median <<<"$r")")$([[ -n ${gateway_skipped:-} ]] && echo " (gateway skipped: $gateway_skipped)" || true) |"$'\n'
    r=$(ratios "$tag" "proxy-$size" "nginx-$size" 9)
    goal_rows+="| $tag | CPU per hit ≤ 1.3 × nginx's, $size-item | $(fmt "$(median <<<"$r")" '%.2f') × ($(spread <<<"$r"); $(fmt "$(column "$tag" "proxy-$size" 9 | median)" '%.0f') against $(fmt "$(column "$tag" "nginx-$size" 9 | median)" '%.0f') µs) | $(met 'v0 <= 1.3' "$(median <<<"$r")") |"$'\n'
  done
  for size in 1 100; do
    overhead=$(paste <(column "$tag" "miss-$size" 5) <(column "$tag" "direct-$size" 5) | awk 'NF == 2 { printf "%.2f\n", ($1 - $2) / 1000 }' | median)
    goal_rows+="| $tag | miss overhead p50 < $miss_goal ms over postpress direct, $size-item | $(fmt "$overhead" '%.2f') ms | $(met "v0 < $miss_goal" "$overhead") |"$'\n'
  done
  start_mvc=$(startup_median "$tag" mvc 4)
  start_jar=$(startup_median "$tag" jar 4)
  start_ratio=$(number "$start_jar" && number "$start_mvc" && awk -v a="$start_jar" -v b="$start_mvc" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "nan" }' || echo nan)
  goal_rows+="| $tag | start-up to ready on one core, \`java -jar\` ≤ 1.5 × the plain Spring Boot MVC app's | $(fmt "$start_jar" '%.1f') s against $(fmt "$start_mvc" '%.1f') s: $(fmt "$start_ratio" '%.2f') × (CPU $(fmt "$(startup_median "$tag" jar 6)" '%.1f') s against $(fmt "$(startup_median "$tag" mvc 6)" '%.1f') s) | $(met 'v0 <= 1.5' "$start_ratio") |"$'\n'
  if [[ $jdk_major -ge 25 ]]; then
    start_cached=$(startup_median "$tag" cached 4)
    goal_rows+="| $tag | start-up to ready on one core, the image's way (extracted, AOT cache) ≤ 4 s | $(fmt "$start_cached" '%.1f') s (CPU $(fmt "$(startup_median "$tag" cached 6)" '%.1f') s) | $(met 'v0 <= 4' "$start_cached") |"$'\n'
  fi
done

# --- miss overhead ---------------------------------------------------------------------------------
miss_rows=""
for tag in $tags; do
  for size in 1 100; do
    o=$(paste <(column "$tag" "miss-$size" 5) <(column "$tag" "direct-$size" 5) | awk 'NF == 2 { printf "%.2f\n", ($1 - $2) / 1000 }')
    [[ -n $o ]] || continue
    miss_rows+="| $tag | $size | $(ms "$(column "$tag" "direct-$size" 5 | median)") | $(ms "$(column "$tag" "miss-$size" 5 | median)") | **$(fmt "$(median <<<"$o")" '%.2f')** ($(list <<<"$o")) | $(ms "$(column "$tag" "direct-$size" 6 | median)") | $(ms "$(column "$tag" "miss-$size" 6 | median)") |"$'\n'
  done
done
miss_metrics=$(sed 's/\t/ /g; s/$/;/' "$data/miss-metrics.tsv" 2>/dev/null | paste -sd' ' - || true)

# --- open loop -------------------------------------------------------------------------------------
# rows: JDK, page, round, target and reached req/s, p50 / p99 / p99.9 / max ms, late sends, non-200, errors
open_loop_rows=$(awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s | %s |\n", $1, substr($2, 11), $3, $4, $5, $6 / 1000, $7 / 1000, $8 / 1000, $9 / 1000, $10, $11, $12 }' "$data/open-loop.tsv" 2>/dev/null || true)
open_loop_verdicts=""
for tag in $tags; do
  for size in 1 100; do
    p99=$(awk -F'\t' -v t="$tag" -v s="open-loop-$size" '$1 == t && $2 == s { print $7 / 1000 }' "$data/open-loop.tsv" 2>/dev/null | median)
    [[ -n $p99 ]] || { open_loop_verdicts+="$tag $size items: missed (no data); "; continue; }
    open_loop_verdicts+="$tag $size items: median p99 $(fmt "$p99" '%.2f') ms, $(awk -v v="$p99" 'BEGIN { print (v <= 2) ? "met" : "**missed**" }'); "
  done
done

# --- start-up --------------------------------------------------------------------------------------
startup_rows=$(awk -F'\t' '{ printf "| %s | %s | %s | %.2f | %s | %s |\n", $1, $2, $3, $4 / 1000, ($5 == "" ? "-" : $5), ($6 == "" ? "-" : $6) }' "$data/startup.tsv" 2>/dev/null || true)

# --- coalescing ------------------------------------------------------------------------------------
coalesce_rows=""
coalesce_ok_1=0
coalesce_ok_100=0
seen_1=0
seen_100=0
if [[ -s $data/coalesce.tsv ]]; then
  coalesce_ok_1=1
  coalesce_ok_100=1
  while IFS=$'\t' read -r scenario round line; do
    size=${scenario#coalesce-}
    declare "seen_$size=1"
    calls=$(field "$line" upstream_calls)
    statuses=$(field "$line" statuses)
    [[ $calls == 1 && $statuses == "200:100" ]] || declare "coalesce_ok_$size=0"
    coalesce_rows+="| $size | $round | $calls | $statuses | $(field "$line" cache) | $(field "$line" p50_ms) | $(field "$line" max_ms) | $(field "$line" hit_burst_p50_ms) / $(field "$line" hit_burst_max_ms) |"$'\n'
  done <"$data/coalesce.tsv"
fi
coalesce_value() { awk -F'\t' -v s="coalesce-$1" '$1 == s { print $3 }' "$data/coalesce.tsv" | sed -E "s/.* $2=([^ ]*).*/\1/" | median; }
coalesce_p50_1=$(coalesce_value 1 p50_ms)
coalesce_p50_100=$(coalesce_value 100 p50_ms)
for size in 1 100; do
  p="coalesce_p50_$size" s="seen_$size" ok="coalesce_ok_$size"
  # every round: 1 call and 100 x 200; the median p50 within 20 ms of the upstream delay
  [[ ${!s} == 1 && ${!ok} == 1 && $(met "v0 - $coalesce_delay_ms <= 20" "${!p}") == met ]] || declare "coalesce_ok_$size=0"
done
coalesce_server=$(grep collapsed "$data/coalesce-access.log" 2>/dev/null | grep -oE ' [0-9]+\.[0-9]{3}ms' 2>/dev/null | tr -d ' ms' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR) printf "%d collapsed requests, server-side latency min %.1f, p50 %.1f, max %.1f ms", NR, v[1], v[int((NR + 1) / 2)], v[NR]; else print "no access-log lines" }')

# --- expiry under load -------------------------------------------------------------------------------
# an expiry is found from the answers (bench/Client.java, mode expiry): with stale-while-revalidate on
# (the shipped default) the first expired copy served after fresh hits; calls come from the stand-in
expiry_rows=""
expiry_ok=0
expiry_ratios=""
if [[ -s $data/expiry.tsv ]]; then
  expiry_ok=1
  while IFS=$'\t' read -r _ round line; do
    # one upstream call per expiry: as many calls as expiries (at least one), none outside an expiry
    [[ $(field "$line" calls_per_expiry) == "1.00" && $(field "$line" calls_outside_expiries) == 0 &&
      $(field "$line" status_5xx) == 0 ]] || expiry_ok=0
    expiry_ratios+="$(field "$line" around_between_ratio)"$'\n'
    expiry_rows+="| $round | $(field "$line" rps) | $(field "$line" expiries) | $(field "$line" upstream_calls) | $(field "$line" calls_per_expiry) | $(field "$line" status_5xx) | $(field "$line" p50_ms) / $(field "$line" p99_ms) | $(field "$line" p99_between_ms) | $(field "$line" p99_around_ms) | $(field "$line" around_between_ratio) | $(field "$line" expiry_p99_median_ms) / $(field "$line" expiry_p99_max_ms) | $(field "$line" cache) |"$'\n'
  done <"$data/expiry.tsv"
fi
# every round needs a ratio (expiries seen, requests between them); the median of the rounds decides
expiry_ratio=$(median <<<"$expiry_ratios")
mapfile -t expiry_ratio_list < <(grep -v '^$' <<<"$expiry_ratios" || echo nan)
expiry_tail=$(met 'v0 <= 2' "$expiry_ratio" "${expiry_ratio_list[@]}")

# --- memory ----------------------------------------------------------------------------------------
heap_before="" heap_after="" fill_line=""
[[ -s $data/memory.tsv ]] && IFS=$'\t' read -r _ heap_before heap_after fill_line <"$data/memory.tsv"
stored=$(field "$fill_line" stored)
json=$(field "$fill_line" body_bytes_mean)
per_page=$(number "$heap_after" && number "$stored" && awk -v a="$heap_after" -v b="$heap_before" -v n="$stored" 'BEGIN { if (n > 0) printf "%.0f", (a - b) / n; else print "nan" }' || echo nan)
memory_ratio=$(number "$per_page" && number "$json" && awk -v p="$per_page" -v j="$json" 'BEGIN { printf "%.3f", p / j }' || echo nan)

# --- chart: 1-item hit throughput and p99 per JDK and target -----------------------------------------
printf '%s' "$chart_rows" >"$data/chart.tsv"
if [[ -s $data/chart.tsv ]] && command -v gnuplot >/dev/null; then
  gnuplot <<EOF || true
set terminal pngcairo size 1200,800 font "sans,11"
set output "$out/chart.png"
set datafile separator "\t"
set multiplot layout 2,1 title "chat-proxy against its peers, 1-item page, cache hits, $connections connections, server on 1 core (${run_date:-})"
set style data histograms
set style fill solid 0.8 border -1
set grid ytics
set xtics rotate by -25 left
set title "req/s (median of rounds)"
set yrange [0:*]
plot "$data/chart.tsv" using 2:xtic(1) title "req/s" lc rgb "#3b7dd8"
set title "p99 ms (median of rounds, log scale)"
set logscale y
set yrange [0.1:*]
plot "$data/chart.tsv" using 3:xtic(1) title "p99 ms" lc rgb "#e8833a"
unset multiplot
EOF
fi

profiles=$(for f in "$data"/profile-hits-*.txt; do [[ -f $f ]] && printf -- '- `data/%s` (tables), `data/%s` (flame graph), `data/%s` (folded stacks)\n' \
  "${f##*/}" "$(basename "${f%.txt}").svg" "$(basename "${f%.txt}").folded"; done || true)

# --- RESULTS.md --------------------------------------------------------------------------------------
cat >"$out/RESULTS.md" <<EOF
# chat-proxy benchmark results

Produced by \`bench/run.sh\`$([[ ${quick:-0} == 1 ]] && echo " in its QUICK=1 smoke mode (1 short round: no verdict to rely on)"), started ${run_date:-?}, in ${elapsed:-?} s.

| | |
|---|---|
| machine | ${machine:-?} |
| JDKs (proxy and references) | ${jdk_list:-?} |
| load average (1/5/15 min) | before: ${load_before:-?}; after: ${load_after:-?} |
| pinning | every server under test on CPU 0, one at a time under load (the others idle); wrk, the stand-in and the Java client on CPU 1 (\`taskset\`) |
| chat-proxy | the jar as shipped (\`java -jar\`, default logging and metrics), \`PROXY_CACHE_TTL=10m\` (\`$expiry_ttl\` for expiry), \`PROXY_CACHE_MAX_ENTRIES=$((pages * 2))\`, stdout to a file |
| upstream | the simulated postpress, ${delay_ms} ms delay (${coalesce_delay_ms} ms for coalescing) |
| pages | 1 item: ${page1_bytes:-?} bytes of JSON; 100 items: ${page100_bytes:-?} bytes (identical bytes from every target) |
| rounds | warm-up cycles of ${warmup_seconds:-?} s per JVM target and page (${warmup_cycles:-?} at least, until the summed throughput settles within 5%, at most ${warmup_max_cycles:-?}; \`data/warmup.tsv\`), then $rounds rounds × ${seconds} s per target and page, the order of the targets rotating every round |

## Goals of issue 24 (medians of the per-round ratios, with their spread over the rounds)

| JDK | goal | measured | |
|---|---|---|---|
$goal_rows
![chart](chart.png)

## 1. Hit path against the references ($connections connections, ${seconds} s per measurement)

References, each in its own process on the same core: nginx \`proxy_cache\` (\`bench/nginx.conf\`), a plain
Spring Boot MVC application answering precomputed bytes with no filters (\`bench/src/main/java/dev/chatproxy/bench/CeilingApplication.java\`),
Spring Cloud Gateway 5.0 with LocalResponseCache (\`bench/gateway\`)$([[ -n ${gateway_skipped:-} ]] && echo ": skipped, $gateway_skipped"), and the proxy
again with its access log off (\`LOGGING_LEVEL_DEV_CHATPROXY_ACCESS=WARN\`). Ratios are per round, then the median.
"CPU µs per request": the target's user + system CPU time (\`/proc/PID/stat\`, nginx master and worker) over the
run divided by its requests; on a ratio row, reference CPU / chat-proxy CPU, the throughput ratio a core of its own
would give (less sensitive to other load than req/s).

| JDK | items | target | req/s, median (rounds) | p50 ms | p99 ms | CPU µs per request | non-2xx |
|---|---|---|---|---|---|---|---|
$hit_rows
Profiles of the proxy's 1-item hit path under load (JFR, \`bench/profile.sh\`):
$profiles

## 2. Miss overhead (1 connection, a new key per request, ${miss_seconds} s per measurement)

Overhead = p50 through the proxy on misses − p50 of the stand-in called directly, per round, after the miss path
is warmed at 16 connections until its throughput settles (\`miss-warmup\` in \`data/warmup.tsv\`: cycles, then
misses/s; a cold JVM's first thousands of misses cost several ms more, the JIT compiling them). The proxy's own
metrics over the measured misses (\`http_server_requests\` and \`http_client_requests\` deltas): $miss_metrics

| JDK | items | direct p50 ms | proxy miss p50 ms | overhead p50 ms (rounds) | direct p99 ms | proxy miss p99 ms |
|---|---|---|---|---|---|---|
$miss_rows
### Open loop: the proxy's hits at half its saturated rate

\`bench/Client.java\`, mode \`rate\` (a fixed arrival rate, as wrk2 would: each request's latency runs from the
time it was due, so a stall counts against every request it delayed), $connections connections, half of the
median of the proxy's hit rounds above. Goal p99 ≤ 2 ms: ${open_loop_verdicts:-not run (BENCH_OPEN_LOOP=0)}
"late": requests the client itself sent more than 1 ms after they were due (its own lag, which still counts).

| JDK | page items | round | target req/s | reached req/s | p50 ms | p99 ms | p99.9 ms | max ms | late | non-200 | errors |
|---|---|---|---|---|---|---|---|---|---|---|---|
$open_loop_rows

## 3. Start-up to ready, pinned to CPU 0

Launch to the first 200, polled every 100 ms: \`/actuator/health/readiness\` for the proxy, the 1-item page for the
references. "mvc": the plain Spring Boot MVC application (the ceiling above, its first page fetched from the stand-in at
start); "gateway": Spring Cloud Gateway (its first page goes through to the stand-in, 20 ms); "jar": the proxy's jar as
\`java -jar\` runs it; "extracted": the jar extracted (\`-Djarmode=tools extract\`) as the container image runs it;
"cached": extracted with JDK 25's AOT cache (\`-XX:AOTCacheOutput\` training run with \`-Dspring.context.exit=onRefresh\`,
then \`-XX:AOTCache\`), JDK 17's AppCDS (\`-XX:ArchiveClassesAtExit\`, then \`-XX:SharedArchiveFile\`); "bench": the
benchmark's own proxy start. The CPU seconds (user + system, \`/proc/PID/stat\`) are what the start costs its one core:
on a quiet machine the time to ready is close to them; on a busy one the wall time grows and they do not.

| JDK | variant | run | seconds to ready | Spring's "Started in" s | CPU seconds used until ready |
|---|---|---|---|---|---|
$startup_rows

## 4. Coalescing (100 concurrent identical requests on a cold key, ${coalesce_delay_ms} ms upstream, $first_tag)

Verdicts$([[ ${quick:-0} == 1 ]] && echo " (QUICK=1: none to rely on)" || true): 100-item $( ((coalesce_ok_100)) && echo met || echo "**missed**"), 1-item $( ((coalesce_ok_1)) && echo met || echo "**missed**")
(every round 1 upstream call and 100 × 200, median p50 ≤ ${coalesce_delay_ms} + 20 ms). The proxy's access log for these
requests: $coalesce_server.

| page items | round | upstream calls | statuses | Cache-Status | p50 ms | max ms | cached-key burst p50 / max ms |
|---|---|---|---|---|---|---|---|
$coalesce_rows
## 5. Expiry under load ($connections connections on one 100-item key, TTL $expiry_ttl, ${expiry_seconds} s per round, $first_tag)

The proxy as shipped: stale-while-revalidate on (30 s), so an expired page is answered at once
(\`detail=stale-while-revalidate\`) while one background fetch refreshes it. An expiry is found from the
answers: the first expired copy after fresh hits, with the others of the same refresh (\`bench/Client.java\`,
mode \`expiry\`); its upstream calls from the stand-in's call count polled every 5 ms. "Around" an expiry:
requests started within 250 ms of its first expired answer's start; "between": the others. \`bench/freshness.sh\` measures the same with the window on and off side by side.

Verdicts$([[ ${quick:-0} == 1 ]] && echo " (QUICK=1: none to rely on)" || true): 1 upstream call per expiry, none outside one, no 5xx, in every round: $( [[ ${quick:-0} == 1 ]] && echo "no verdict" || { ((expiry_ok)) && echo met || echo "**missed**"; });
p99 around an expiry ≤ 2 × p99 between expiries (median of the rounds, $(fmt "$expiry_ratio" '%.2f') ×): $expiry_tail.

| round | req/s | expiries | upstream calls | calls per expiry | 5xx | p50 / p99 ms (all) | p99 between ms | p99 around ms | around / between | p99 of one expiry, median / worst ms | answers |
|---|---|---|---|---|---|---|---|---|---|---|---|
$expiry_rows
## 6. Memory (${stored:-?} cached 100-item pages, $first_tag)

Live heap after a full GC before and after: ${heap_before:-?} → ${heap_after:-?} bytes, $per_page bytes per page for
${json:-?} bytes of JSON ($(fmt "$memory_ratio" '%.3f')×): $(met 'v0 <= 1.5' "$memory_ratio") (target ≤ 1.5×).

Raw numbers: \`data/\` (rounds.tsv: JDK, scenario, round, req/s, p50 µs, p99 µs, non-2xx, socket errors, CPU µs per request).
EOF
