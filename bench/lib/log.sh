# Sourced by the bench scripts: log MESSAGE prints it to stderr with the time of day and the
# seconds since the script sourced this; die MESSAGE logs it as a failure and exits 1.
started_at=$(date +%s)

log() { printf '[%s +%ss] %s\n' "$(date -u +%H:%M:%S)" $(($(date +%s) - started_at)) "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }
