#!/usr/bin/env bash
# Renders a JFR recording's CPU samples as text tables (hottest methods by own and by total
# time, and the hottest call paths) and as folded stacks for a flame graph, plus an SVG flame
# graph (bench/flamegraph.py).
# Usage: bench/profile.sh RECORDING.jfr OUT.txt [JDK_HOME]   (writes OUT.txt, OUT.folded, OUT.svg)
set -euo pipefail
recording=$1
out=$2
jdk=${3:-${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}}
base=${out%.txt}
"$jdk/bin/jfr" print --json --stack-depth 256 --events jdk.ExecutionSample "$recording" >"$base.json"
python3 "$(dirname "$0")/flamegraph.py" "$base.json" "$base.folded" "$base.svg" >"$out"
rm -f "$base.json"
