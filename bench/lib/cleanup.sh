# Sourced by the bench scripts once they have `pids=()`: whenever the script exits (done, failed,
# Ctrl-C, SIGTERM), every process it started is stopped by PID, politely, then with SIGKILL after
# 10 s. A script may define extra_pids() for PIDs it knows only at exit (fleet-demo's Redis, which
# it stops and starts again). stop PID stops one started process before the script ends and
# forgets it.
cleanup() {
  local status=$? pid
  local all=("${pids[@]}")
  trap - EXIT INT TERM
  if declare -F extra_pids >/dev/null; then
    # shellcheck disable=SC2207 # PIDs: no spaces in them
    all+=($(extra_pids))
  fi
  for pid in "${all[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${all[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  done
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stop() { # stop one started process by pid and forget it
  local pid=$1 kept=()
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}
