# Sourced by bench scripts that run the jar and the simulated postpress on this machine, from the
# repository root. Gives: java_home/java (BENCH_JDK, else Temurin 25 where installed, else the java
# on PATH); bench_paths NAME [OUT] (out, data, work, logs, jar, api_key, secret); and, for use after
# lib/log.sh (die, log) and lib/cleanup.sh (pids) with sim_port and delay_ms set: wait_for,
# port_free, build CLIENT_SOURCE and start_standin.
if [[ -n ${BENCH_JDK:-} ]]; then
  java_home=$BENCH_JDK
elif [[ -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  java_home=/usr/lib/jvm/temurin-25-jdk-amd64
else
  java_home=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
fi
java=$java_home/bin/java
[[ -x $java ]] || { echo "no java at $java (BENCH_JDK)" >&2; exit 1; }

bench_paths() { # name, [out]: results in bench/results/NAME (or OUT), work files in bench/target/NAME
  out=${2:-$PWD/bench/results/$1}
  data=$out/data
  work=$PWD/bench/target/$1
  logs=$work/logs
  jar=$PWD/target/chat-proxy-0.1.0-SNAPSHOT.jar
  api_key=bench_not_a_secret
  secret=whsec_bench_not_a_secret
}

wait_for() { # url, what, pid; polls until it answers, the process dies, or 180 s pass
  for _ in $(seq 1 1800); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$3" 2>/dev/null || die "$2 exited before it was ready (see $logs)"
    sleep 0.1
  done
  die "$2 did not come up at $1"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

build() { # client source: the jar and the stand-in (unless BENCH_SKIP_BUILD=1 finds them), then the client
  if [[ ${BENCH_SKIP_BUILD:-0} != 1 || ! -f $jar || ! -f target/test-classes/dev/chatproxy/demo/SimulatedPostpress.class ]]; then
    log "building the jar and the simulated postpress (./mvnw -B -q -DskipTests package)"
    ./mvnw -B -q -DskipTests -Djacoco.skip=true package
  fi
  [[ -f target/test-classes/dev/chatproxy/demo/SimulatedPostpress.class ]] || die "no simulated postpress in target/test-classes"
  rm -rf "${work:?}/client"
  mkdir -p "$work/client"
  "$java_home/bin/javac" --release 17 -d "$work/client" "$1"
}

start_standin() { # the simulated postpress, delay_ms per call, on CPU 1
  log "starting the stand-in (simulated postpress, ${delay_ms} ms) on CPU 1, port $sim_port"
  taskset -c 1 "$java" -Dsun.net.httpserver.nodelay=true -cp target/test-classes dev.chatproxy.demo.SimulatedPostpress \
    --port="$sim_port" --delay-ms="$delay_ms" --api-key="$api_key" >"$logs/standin.log" 2>&1 &
  standin_pid=$!
  pids+=("$standin_pid")
  wait_for "http://127.0.0.1:$sim_port/__simulator/stats" "the stand-in" "$standin_pid"
}
