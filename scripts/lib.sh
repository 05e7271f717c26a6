# Shared settings for the stack scripts; sourced, never run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${ROOT}/.stack"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/istio-mab"
BUILDKIT_VERSION="$(awk '{for(i=1;i<NF;i++) if($i=="github.com/moby/buildkit") print $(i+1)}' "${ROOT}/go.mod" | head -1)"
BUILDKIT_BIN="${CACHE}/buildkit-${BUILDKIT_VERSION}"

log() { printf '[stack] %s\n' "$*" >&2; }

# alive PIDFILE: true when the pid in PIDFILE names a running process.
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# wait_for DESC CMD...: retry CMD for up to 30 s.
wait_for() {
  local desc="$1"; shift
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "timed out waiting for ${desc}"; return 1
}
