#!/usr/bin/env bash
# Turns the measurements of bench/run.sh (DATA dir) into OUT/RESULTS.md and OUT/chart.png.
# Usage: bench/report.sh DATA OUT   (run.sh calls it; it can be re-run on a kept DATA dir)
# Variables of the run (machine, jdk, rounds...) come from data/run.env.
# shellcheck disable=SC2154
set -euo pipefail
data=$1
out=$2
# the run's description, written by run.sh, so that the report can be made again from data/
[[ -f $data/run.env ]] && source "$data/run.env"

field() { sed -E "s/.*[ ]$2=([^ ]*).*/\1/" <<<"$1"; }
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column() { # scenario, column number (3 rps, 4 p50_us, 5 p99_us, 6 non2xx) -> one value per round
  awk -F'\t' -v s="$1" -v c="$2" '$1 == s { print $c }' "$data/rounds.tsv"
}
list() { paste -sd' ' - | sed 's/ /, /g'; }
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { printf f, v }'; }
met() { awk "BEGIN { exit !($1) }" && echo "met" || echo "**missed**"; }
ms() { awk -v v="$1" 'BEGIN { printf "%.2f", v / 1000 }'; }

# --- hit path against the ceiling, per round ----------------------------------------------------
hit_rows=""
for size in 1 100; do
  ratios=$(paste <(column "hit-$size" 3) <(column "ceiling-$size" 3) | awk '{ printf "%.3f\n", $1 / $2 }')
  ratio=$(median <<<"$ratios")
  declare "ratio_$size=$ratio"
  for who in hit ceiling; do
    rps=$(column "$who-$size" 3 | median)
    p50=$(column "$who-$size" 4 | median)
    p99=$(column "$who-$size" 5 | median)
    bad=$(column "$who-$size" 6 | awk '{ s += $1 } END { print s + 0 }')
    declare "rps_${who}_$size=$rps" "p50_${who}_$size=$p50" "p99_${who}_$size=$p99"
    hit_rows+="| $who, $size-item page | $(fmt "$rps" '%.0f') ($(column "$who-$size" 3 | awk '{ printf "%.0f\n", $1 }' | list)) | $(ms "$p50") | $(ms "$p99") | $bad |"$'\n'
  done
  hit_rows+="| **ratio hit / ceiling, $size-item** | **$(fmt "$ratio" '%.3f')** (per round: $(list <<<"$ratios")) | | | |"$'\n'
done

# --- miss overhead -------------------------------------------------------------------------------
miss_rows=""
for size in 1 100; do
  overheads=$(paste <(column "miss-$size" 4) <(column "direct-$size" 4) | awk '{ printf "%.2f\n", ($1 - $2) / 1000 }')
  overhead=$(median <<<"$overheads")
  declare "overhead_$size=$overhead"
  miss_rows+="| $size-item page | $(ms "$(column "direct-$size" 4 | median)") | $(ms "$(column "miss-$size" 4 | median)") | **$(fmt "$overhead" '%.2f')** ($(list <<<"$overheads")) | $(ms "$(column "direct-$size" 5 | median)") | $(ms "$(column "miss-$size" 5 | median)") | $(met "$overhead < 2") |"$'\n'
done
standin_cost=$(awk -v p="$(column direct-100 4 | median)" -v d="$delay_ms" 'BEGIN { printf "%.2f", p / 1000 - d }')

miss_metrics=$(cat "$data/miss-metrics.tsv" 2>/dev/null | tr '\t' ' ' || true)

# --- coalescing ----------------------------------------------------------------------------------
coalesce_rows=""
coalesce_ok_1=1
coalesce_ok_100=1
while IFS=$'\t' read -r scenario round line; do
  size=${scenario#coalesce-}
  calls=$(field "$line" upstream_calls)
  statuses=$(field "$line" statuses)
  p50=$(field "$line" p50_ms)
  [[ $calls == 1 && $statuses == "200:100" ]] || declare "coalesce_ok_$size=0"
  coalesce_rows+="| $size | $round | $calls | $statuses | $(field "$line" cache) | $p50 | $(field "$line" max_ms) | $(field "$line" hit_burst_p50_ms) / $(field "$line" hit_burst_max_ms) |"$'\n'
done <"$data/coalesce.tsv"
coalesce_value() { awk -F'\t' -v s="coalesce-$1" '$1 == s { print $3 }' "$data/coalesce.tsv" | sed -E "s/.* $2=([^ ]*).*/\1/" | median; }
coalesce_p50_1=$(coalesce_value 1 p50_ms)
coalesce_p50_100=$(coalesce_value 100 p50_ms)
coalesce_max_100=$(coalesce_value 100 max_ms)
coalesce_burst_100=$(coalesce_value 100 hit_burst_p50_ms)
coalesce_burst_1=$(coalesce_value 1 hit_burst_p50_ms)
# every round: 1 call and 100 x 200; the median p50: within 20 ms of the upstream delay
for size in 1 100; do
  p="coalesce_p50_$size"
  awk -v p="${!p}" -v d="$coalesce_delay_ms" 'BEGIN { exit !(p - d <= 20) }' || declare "coalesce_ok_$size=0"
done
coalesce_server=$(grep collapsed "$data/coalesce-access.log" 2>/dev/null | grep -oE ' [0-9]+\.[0-9]{3}ms'  2>/dev/null | tr -d ' ms' | sort -g |
  awk '{ v[NR] = $1 } END { if (NR) printf "%d collapsed requests, server-side latency min %.1f, p50 %.1f, max %.1f ms", NR, v[1], v[int((NR + 1) / 2)], v[NR]; else print "no access-log lines" }')

# --- expiry under load -----------------------------------------------------------------------------
expiry_rows=""
expiry_ok=1
while IFS=$'\t' read -r _ round line; do
  [[ $(field "$line" calls_per_expiry) == "1.00" && $(field "$line" status_5xx) == 0 ]] || expiry_ok=0
  expiry_rows+="| $round | $(field "$line" rps) | $(field "$line" expiries) | $(field "$line" upstream_calls) | $(field "$line" calls_per_expiry) | $(field "$line" status_5xx) | $(field "$line" p50_ms) / $(field "$line" p99_ms) | $(field "$line" expiry_p99_median_ms) / $(field "$line" expiry_p99_max_ms) |"$'\n'
done <"$data/expiry.tsv"
expiry_lines=$(for file in "$data"/expiry-*.txt; do
  round=${file##*-}
  grep '^EXPIRY' "$file" | sed -E "s/^EXPIRY /round ${round%.txt} /"
done)
expiry_p50=$(awk -F'\t' '{ print $3 }' "$data/expiry.tsv" | sed -E 's/.* p50_ms=([^ ]*).*/\1/' | median)
expiry_p99=$(awk -F'\t' '{ print $3 }' "$data/expiry.tsv" | sed -E 's/.* expiry_p99_median_ms=([^ ]*).*/\1/' | median)

# --- memory --------------------------------------------------------------------------------------
IFS=$'\t' read -r _ heap_before heap_after fill_line <"$data/memory.tsv"
stored=$(field "$fill_line" stored)
json=$(field "$fill_line" body_bytes_mean)
per_page=$(awk -v a="$heap_after" -v b="$heap_before" -v n="$stored" 'BEGIN { printf "%.0f", (a - b) / n }')
memory_ratio=$(awk -v p="$per_page" -v j="$json" 'BEGIN { printf "%.3f", p / j }')

# --- chart ---------------------------------------------------------------------------------------
{
  for size in 1 100; do
    for who in hit ceiling; do
      r="rps_${who}_$size" p="p50_${who}_$size" q="p99_${who}_$size"
      printf '%s-%s\t%s\t%s\t%s\n' "$who" "$size" "${!r}" "$(ms "${!p}")" "$(ms "${!q}")"
    done
  done
  for size in 1 100; do
    for who in direct miss; do
      printf '%s-%s\tNaN\t%s\t%s\n' "$who" "$size" "$(ms "$(column "$who-$size" 4 | median)")" "$(ms "$(column "$who-$size" 5 | median)")"
    done
  done
  printf 'coalesce-100 (p50/max)\tNaN\t%s\t%s\n' "$coalesce_p50_100" "$coalesce_max_100"
  printf 'expiry (p50/p99 near expiry)\tNaN\t%s\t%s\n' "$expiry_p50" "$expiry_p99"
} >"$data/chart.tsv"
gnuplot <<EOF
set terminal pngcairo size 1200,900 font "sans,11"
set output "$out/chart.png"
set datafile separator "\t"
set multiplot layout 2,1 title "chat-proxy benchmark, ${run_date:-$(date -u +%Y-%m-%d)}, ${jdk//\"/}, proxy on 1 core, medians of $rounds rounds"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set key top right
set grid ytics
set xtics rotate by -20 left
set title "Hit throughput at $connections connections: proxy against the Spring MVC ceiling (req/s)"
set ylabel "req/s"
stats "< head -4 $data/chart.tsv" using 2 nooutput
set yrange [0:STATS_max * 1.15]
plot "< head -4 $data/chart.tsv" using 2:xtic(1) title "req/s" lc rgb "#3b7dd8", \
     '' using 0:2:(sprintf("%.0f", \$2)) with labels offset 0,0.8 notitle
set title "Latency, ms (log scale): hits at $connections conn.; misses and stand-in direct at 1 conn. (${delay_ms} ms upstream); coalescing (${coalesce_delay_ms} ms upstream); expiry"
set ylabel "ms"
set logscale y
set yrange [*:*]
set key top left
set yrange [0.1:20000]
plot "$data/chart.tsv" using 3:xtic(1) title "p50" lc rgb "#3b7dd8", '' using 4 title "p99 (coalesce: max; expiry: median p99 within 250 ms of an expiry)" lc rgb "#e8833a"
unset multiplot
EOF

# --- RESULTS.md ----------------------------------------------------------------------------------
cat >"$out/RESULTS.md" <<EOF
# chat-proxy benchmark results

Produced by \`bench/run.sh\`, started ${run_date:-$(date -u '+%Y-%m-%d %H:%M UTC')}, in ${elapsed} s.

| | |
|---|---|
| machine | $machine |
| JDK (proxy, stand-in, client) | $jdk |
| load average (1/5/15 min) | before: $load_before; after: $load_after |
| pinning | proxy on CPU 0; wrk, the stand-in and the Java client on CPU 1 (\`taskset\`) |
| proxy | the jar with its defaults, except \`PROXY_CACHE_TTL=10m\` (hits, misses, coalescing, memory) or \`$expiry_ttl\` (expiry), \`PROXY_CACHE_MAX_ENTRIES=$((pages * 2))\`; access log at INFO, stdout to a file (ceiling under the same settings, same JVM) |
| upstream | the simulated postpress, ${delay_ms} ms delay (${coalesce_delay_ms} ms for coalescing) |
| pages | 1 item: $page1_bytes bytes of JSON; 100 items: $page100_bytes bytes |
| warm-up | $warmup_cycles cycles of the four hit/ceiling loads until summed throughput rose less than 3% |

## Targets

| target | measured (median of $rounds rounds) | |
|---|---|---|
| hit throughput ≥ 85% of the ceiling (stretch 95%), 1-item page | $(fmt "$(awk -v r="$ratio_1" 'BEGIN { print r * 100 }')" '%.1f')% | $(met "$ratio_1 >= 0.85")$(awk -v r="$ratio_1" 'BEGIN { if (r >= 0.95) printf ", stretch met" }') |
| hit throughput ≥ 85% of the ceiling (stretch 95%), 100-item page | $(fmt "$(awk -v r="$ratio_100" 'BEGIN { print r * 100 }')" '%.1f')% | $(met "$ratio_100 >= 0.85")$(awk -v r="$ratio_100" 'BEGIN { if (r >= 0.95) printf ", stretch met" }') |
| coalescing, 100-item page: 1 upstream call, 100 × 200, p50 ≤ ${coalesce_delay_ms} + 20 ms | p50 $coalesce_p50_100 ms (same burst on the cached page: $coalesce_burst_100 ms) | $( ((coalesce_ok_100)) && echo met || echo "**missed**") |
| coalescing, 1-item page: 1 upstream call, 100 × 200, p50 ≤ ${coalesce_delay_ms} + 20 ms | p50 $coalesce_p50_1 ms (same burst on the cached page: $coalesce_burst_1 ms) | $( ((coalesce_ok_1)) && echo met || echo "**missed**") |
| expiry under load: 1 upstream call per expiry, no 5xx | see below | $( ((expiry_ok)) && echo met || echo "**missed**") |
| miss overhead p50 < 2 ms, 1-item page | $overhead_1 ms | $(met "$overhead_1 < 2") |
| miss overhead p50 < 2 ms, 100-item page | $overhead_100 ms | $(met "$overhead_100 < 2") |
| heap per cached 100-item page ≤ 1.5 × its JSON | $per_page bytes for $json bytes of JSON: $(fmt "$memory_ratio" '%.2f')× | $(met "$memory_ratio <= 1.5") |

![chart](chart.png)

## 1-2. Hit path against the ceiling ($connections connections, ${seconds} s per measurement)

The ceiling is \`bench/src/main/java/dev/chatproxy/bench/CeilingController.java\`, a plain
\`@RestController\` in the proxy's JVM answering the same bytes, precomputed. Ratios are per
round (hit and ceiling measured back to back, order alternating), then the median.

| scenario | req/s, median (rounds) | p50 ms | p99 ms | non-2xx |
|---|---|---|---|---|
$hit_rows
## 3. Miss overhead (1 connection, a new key per request, ${miss_seconds} s per measurement)

Overhead = p50 through the proxy on misses − p50 of the stand-in called directly, per round.
The stand-in's own cost above its ${delay_ms} ms delay (100-item page, direct p50 − delay):
$standin_cost ms; it is paid on both sides of the difference. The proxy's own metrics over the
measured misses (\`http_server_requests\` and \`http_client_requests\` deltas): $miss_metrics.

| page | direct p50 ms | proxy miss p50 ms | overhead p50 ms (rounds) | direct p99 ms | proxy miss p99 ms | target < 2 ms |
|---|---|---|---|---|---|---|
$miss_rows
## 4. Coalescing (100 concurrent identical requests on a cold key, ${coalesce_delay_ms} ms upstream)

The last column is the same client's 100-request burst on a cached key just before: what one
core takes to answer 100 requests at once, without any upstream. The proxy's access log for
these requests (written when each answer completes): $coalesce_server.

| page items | round | upstream calls | statuses | Cache-Status | p50 ms | max ms | cached-key burst p50 / max ms |
|---|---|---|---|---|---|---|---|
$coalesce_rows
## 5. Expiry under load ($connections connections on one 100-item key, TTL $expiry_ttl, ${expiry_seconds} s per round)

Driven by \`bench/Client.java\` (plain sockets, one virtual thread per connection). An expiry is the
request answered \`fwd=uri-miss; stored\`; "around" = requests started within 250 ms of it.

| round | req/s | expiries | upstream calls | calls per expiry | 5xx | p50 / p99 ms (all) | p99 around an expiry, median / worst ms |
|---|---|---|---|---|---|---|---|
$expiry_rows
Every expiry:

\`\`\`
$expiry_lines
\`\`\`

## 6. Memory ($stored cached 100-item pages)

Live heap after a full GC (\`jcmd GC.class_histogram\` total) before and after caching $stored
distinct 100-item pages: $heap_before → $heap_after bytes, $per_page bytes per page, for a page of
$json bytes of JSON ($(fmt "$memory_ratio" '%.3f')×). Histogram heads in \`data/histogram-*.txt\`.

Raw numbers: \`data/\` (rounds.tsv: scenario, round, req/s, p50 µs, p99 µs, non-2xx, socket errors).
EOF
