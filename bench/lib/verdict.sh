# Sourced by report.sh and freshness-report.sh: number VALUE tells whether VALUE is a number;
# met CONDITION VALUE... prints "met" only when every value is a number and the awk condition on
# v0, v1, ... holds, "**missed**" otherwise, and no verdict at all for a QUICK=1 smoke run (one
# short round on cold JITs is no measurement).
number() { [[ ${1:-} =~ ^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]]; }

met() {
  local condition=$1 args=() i=0 v
  shift
  [[ ${quick:-0} != 1 ]] || { echo "no verdict (QUICK=1)"; return; }
  (($#)) || { echo "**missed** (no data)"; return; }
  for v in "$@"; do
    number "$v" || { echo "**missed** (no data)"; return; }
    args+=(-v "v$i=$v")
    i=$((i + 1))
  done
  awk "${args[@]}" "BEGIN { exit !($condition) }" && echo "met" || echo "**missed**"
}
