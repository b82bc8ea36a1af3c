#!/usr/bin/env bash
# The access log's CPU per line, three ways side by side (issue 24): the console appender on the
# logging thread (sync), the proxy's own AsyncAccessLogAppender (ours: a batch per write), and
# Logback's AsyncAppender (neverBlock, discardingThreshold=0) in front of a console appender with
# immediateFlush=false (logback). Each run is its own JVM pinned to CPU 0 with stdout to a file, the
# ways alternating for ROUNDS rounds; CPU per line = the process's CPU over the measured lines / lines
# written (a dropped line is not written), so a way that drops is not made to look cheap.
# Usage, from the repository root after ./mvnw -B -DskipTests package:
#   bench/access-log.sh        BENCH_JDK=/usr/lib/jvm/java-17-openjdk-amd64 bench/access-log.sh
# env: BENCH_JDK (Temurin 25), ROUNDS (5), LINES (400000), PIPE (1: stdout into a pipe to cat on CPU 1, as a
# container runtime reads it, instead of a file)
set -eu
cd "$(dirname "$0")/.."
source bench/lib/harness.sh
bench_paths access-log
rm -rf "$work"; mkdir -p "$work/classes"
"$java" -Djarmode=tools -jar "$jar" extract --destination "$work/extracted" >/dev/null
"$java_home/bin/javac" --release 17 -nowarn -cp "$work/extracted/chat-proxy-0.1.0-SNAPSHOT.jar:$work/extracted/lib/*" \
  -d "$work/classes" bench/src/main/java/dev/chatproxy/system/AccessLogBench.java
cp="$work/classes:$work/extracted/chat-proxy-0.1.0-SNAPSHOT.jar:$work/extracted/lib/*"
lines=${LINES:-400000}
echo "# bench/access-log.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $("$java" -version 2>&1 | head -1), load $(cut -d' ' -f1 /proc/loadavg), stdout to $([[ ${PIPE:-0} == 1 ]] && echo a pipe || echo a file)"
for round in $(seq 1 "${ROUNDS:-5}"); do
  for way in sync ours logback; do
    if [[ ${PIPE:-0} == 1 ]]; then # stdout into a pipe, as a container runtime takes it
      result=$( { taskset -c 0 "$java" -cp "$cp" dev.chatproxy.system.AccessLogBench "$way" "$lines" 2>&3 |
        taskset -c 1 cat >"$work/$way.out"; } 3>&1 | grep '^RESULT')
    else
      result=$(taskset -c 0 "$java" -cp "$cp" dev.chatproxy.system.AccessLogBench "$way" "$lines" \
        2>&1 >"$work/$way.out" | grep '^RESULT')
    fi
    written=$(grep -c "GET /attendees/" "$work/$way.out" || true)
    cpu=$(sed 's/.*cpu_ns=\([0-9]*\).*/\1/' <<<"$result")
    echo "round $round $way written=$written of $lines cpu_ns_per_line=$((cpu / (written > 0 ? written : 1)))"
  done
done
