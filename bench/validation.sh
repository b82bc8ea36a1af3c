#!/usr/bin/env bash
# Cost of validating a 200 page on a miss, streaming validator against the record binding it
# replaced (bench/src/main/java/dev/chatproxy/upstream/ValidationBench.java), on each JDK, pinned
# to CPU 0. About 1 minute. Usage: bench/validation.sh [OUT.txt]   (needs target/*.jar: ./mvnw package)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/data/validation.txt}
work=bench/target/validation
rm -rf "$work"
mkdir -p "$work/app" "$work/classes" "$(dirname "$out")"
unzip -q -o target/chat-proxy-0.1.0-SNAPSHOT.jar 'BOOT-INF/*' -d "$work/app"
cp="$work/app/BOOT-INF/classes:$work/app/BOOT-INF/lib/*"
javac_home=/usr/lib/jvm/temurin-25-jdk-amd64
[[ -x $javac_home/bin/javac ]] || javac_home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
"$javac_home/bin/javac" --release 17 -nowarn -cp "$cp" -d "$work/classes" bench/src/main/java/dev/chatproxy/upstream/ValidationBench.java
: >"$out"
for home in /usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/temurin-25-jdk-amd64; do
  [[ -x $home/bin/java ]] || continue
  echo "# $("$home/bin/java" -version 2>&1 | head -1), load average $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out"
  taskset -c 0 "$home/bin/java" -cp "$work/classes:$cp" dev.chatproxy.upstream.ValidationBench >>"$out"
done
cat "$out"
