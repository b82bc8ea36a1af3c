#!/usr/bin/env bash
# Where a hit's tail waits (issue 24): the hit load of bench/run.sh (proxy pinned to CPU 0, wrk -c64
# on CPU 1, the stand-in on CPU 1, after WARM x 3 s of warm-up), then two runs of SECONDS_ s:
#  1. the scheduler's view, no profiler attached: per thread (grouped by name), CPU time, time spent
#     runnable but waiting for the core (run-queue delay, /proc/<pid>/task/*/schedstat) and the
#     number of turns on the core, beside wrk's p50/p99 of the same run;
#  2. a wall-clock profile of every thread (async-profiler, event=wall, per thread), attached with
#     jcmd after the warm-up and detached after the run: a flame graph (.html), folded stacks
#     (bench/target/wall/*.collapsed) and a summary of what each thread group was doing (.txt).
# async-profiler's jar (tools.profiler:async-profiler from Maven Central) bundles the Linux x64 library
# and no launcher; the library is extracted and loaded with JVMTI.agent_load.
# Usage, from the repository root after ./mvnw -B -DskipTests package:
#   bench/wall.sh            BENCH_JDK=/usr/lib/jvm/java-17-openjdk-amd64 LIMIT=1 bench/wall.sh
# env: BENCH_JDK (Temurin 25), JAR (target/chat-proxy-*.jar), LIMIT (100: the default page), WARM (15),
# SECONDS_ (10), INTERVAL (wall sampling interval, 2ms), PENV (extra settings for the proxy),
# OUT (bench/results/profiles/wall); ports 19180 (stand-in), 19200 and 19201 (proxy)
set -u
cd "$(dirname "$0")/.."
sim_port=19180 delay_ms=20 port=19200 management=19201
source bench/lib/harness.sh
bench_paths wall "${OUT:-bench/results/profiles/wall}"
source bench/lib/log.sh
pids=()
source bench/lib/cleanup.sh
jar=${JAR:-$jar}
limit=${LIMIT:-100} seconds=${SECONDS_:-10}
version=$("$java" -XshowSettings:properties -version 2>&1 | awk -F' = ' '/java.specification.version/ {print $2}')
name="jdk$version-limit$limit"
mkdir -p "$logs" "$out"
lib=$work/libasyncProfiler.so
if [[ ! -f $lib ]]; then
  profiler_jar=~/.m2/repository/tools/profiler/async-profiler/4.2/async-profiler-4.2.jar
  [[ -f $profiler_jar ]] || ./mvnw -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.2 >/dev/null
  unzip -o -q -j "$profiler_jar" linux-x64/libasyncProfiler.so -d "$work"
fi
start_standin
env POSTPRESS_API_KEY=$api_key POSTPRESS_BASE_URL=http://127.0.0.1:$sim_port/api/v1 SERVER_PORT=$port \
  MANAGEMENT_SERVER_PORT=$management PROXY_CACHE_TTL=10m ${PENV:-} taskset -c 0 "$java" \
  -XX:+UnlockDiagnosticVMOptions -XX:+DebugNonSafepoints -jar "$jar" >"$logs/proxy.log" 2>&1 &
proxy_pid=$!
pids+=("$proxy_pid")
wait_for "http://127.0.0.1:$management/actuator/health/readiness" "the proxy" "$proxy_pid"
url="http://127.0.0.1:$port/attendees/att_01HXYZ4QK3WJ8FN3M6QH7TZ8GR/chats?limit=$limit"
curl -fsS -o /dev/null -w '%{http_code} %{size_download} bytes\n' "$url"
for _ in $(seq 1 "${WARM:-15}"); do taskset -c 1 wrk -t1 -c64 -d3s "$url" >/dev/null; done

schedstat() { # "group cpu_ns wait_ns slices" per thread of the proxy; digits in names folded to '#'
  for task in /proc/$proxy_pid/task/*; do
    local comm stat
    comm=$(tr ' ' '_' <"$task/comm" 2>/dev/null) || continue
    stat=$(cat "$task/schedstat" 2>/dev/null) || continue
    echo "${task##*/} ${comm//[0-9]/#} $stat"
  done
}
load() { awk '{print $1}' /proc/loadavg; }
{
  echo "# bench/wall.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), JDK $version, $limit-item page ($(basename "$jar"))"
  echo "# load average before: $(load)"
  before=$(schedstat)
  echo "run 1 (no profiler): $(taskset -c 1 wrk -t1 -c64 -d${seconds}s -s bench/wrk/fixed.lua "$url" | grep '^RESULT')"
  after=$(schedstat)
  echo
  echo "## The scheduler's view of run 1, per thread group (ms over the run; wait = runnable, not running)"
  # joined per thread id: tid, then group cpu wait turns before, then after
  LC_ALL=C join <(LC_ALL=C sort <<<"$before") <(LC_ALL=C sort <<<"$after") | awk '
    { g = $2; n[g]++; cpu[g] += ($7 - $3) / 1e6; wait[g] += ($8 - $4) / 1e6; turns[g] += $9 - $5 }
    END {
      printf "%-36s %7s %9s %9s %9s %12s\n", "threads", "count", "cpu ms", "wait ms", "turns", "wait/turn us"
      for (g in n) if (cpu[g] + wait[g] > 1)
        printf "%-36s %7d %9.0f %9.0f %9d %12.0f\n", g, n[g], cpu[g], wait[g], turns[g], (turns[g] ? 1000 * wait[g] / turns[g] : 0) | "sort -k4 -n -r"
    }'
  echo
  echo "# load average after run 1: $(load)"
} | tee "$out/$name-schedstat.txt"

# the options quoted: jcmd would read "start,event=wall,..." as a named argument "start,event"
profiler() { "$java_home/bin/jcmd" $proxy_pid JVMTI.agent_load "$lib" "\"$1\"" | grep -v '^[0-9]*:$\|return code: 0\|Profiling started' >&2; }
profiler "start,event=wall,interval=${INTERVAL:-2ms},threads"
echo "run 2 (wall-clock profile): $(taskset -c 1 wrk -t1 -c64 -d${seconds}s -s bench/wrk/fixed.lua "$url" | grep '^RESULT')" |
  tee -a "$out/$name-schedstat.txt"
profiler "stop,threads,file=$work/$name.collapsed"
profiler "dump,threads,file=$(readlink -f "$out")/$name.html"
# what each thread group did: its share of the wall samples and the leaf frames it sat in most
python3 bench/wall-summary.py "$work/$name.collapsed" >"$out/$name-threads.txt"
echo "wrote $out/$name.html, $name-threads.txt, $name-schedstat.txt; folded stacks in $work/$name.collapsed"
