#!/usr/bin/env bash
# Where the proxy's start-up goes (issue 24), not part of CI: the jar extracted as the image runs it,
# pinned to CPU 0, started by bench/src/.../StartupSteps.java (the application's own main with Spring's
# BufferingApplicationStartup) in front of the simulated postpress; prints the start-up steps by self
# time (bean instantiations, configuration parsing, the web servers) and the self time per kind of step.
# Usage: bench/startup-steps.sh   (about a minute)   Writes bench/results/startup-steps.txt.
# Knobs: BENCH_JDK (default Temurin 25 where installed), BENCH_SKIP_BUILD (1 reuses target/), TOP (40),
# STEPS_PORT_BASE (18700: base, base+1 and base+10).
set -euo pipefail

cd "$(dirname "$0")/.."
port_base=${STEPS_PORT_BASE:-18700}
sim_port=$((port_base + 10))
delay_ms=20
source bench/lib/harness.sh
bench_paths startup-steps
source bench/lib/log.sh
pids=()
source bench/lib/cleanup.sh

if [[ ${BENCH_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -f target/test-classes/dev/chatproxy/demo/SimulatedPostpress.class ]]; then
  log "building the jar and the simulated postpress (./mvnw -B -q -DskipTests package)"
  ./mvnw -B -q -DskipTests -Djacoco.skip=true package
fi
rm -rf "${work:?}/extracted" "$work/classes" "$logs"
mkdir -p "$work/classes" "$logs"
"$java" -Djarmode=tools -jar "$jar" extract --destination "$work/extracted" >/dev/null
"$java_home/bin/javac" --release 17 -nowarn -cp "$work/extracted/lib/*" -d "$work/classes" \
  bench/src/main/java/dev/chatproxy/bench/StartupSteps.java
start_standin
report=bench/results/startup-steps.txt
{
  echo "# bench/startup-steps.sh, $(date -u '+%Y-%m-%d %H:%M UTC'), $("$java" -version 2>&1 | head -1), pinned to CPU 0"
  (cd "$work/extracted" && env POSTPRESS_API_KEY="$api_key" POSTPRESS_BASE_URL="http://127.0.0.1:$sim_port/api/v1" \
    SERVER_PORT="$port_base" SERVER_ADDRESS=127.0.0.1 MANAGEMENT_SERVER_ADDRESS=127.0.0.1 \
    MANAGEMENT_SERVER_PORT=$((port_base + 1)) LOGGING_LEVEL_ROOT=WARN \
    taskset -c 0 "$java" -Dtop="${TOP:-40}" -cp "chat-proxy-0.1.0-SNAPSHOT.jar:lib/*:$work/classes" \
    dev.chatproxy.bench.StartupSteps)
} | tee "$report"
log "written to $report"
