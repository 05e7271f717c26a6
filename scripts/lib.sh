# Shared settings for the stack scripts; sourced, never run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${ROOT}/.stack"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/istio-mab"
BUILDKIT_VERSION="$(awk '{for(i=1;i<NF;i++) if($i=="github.com/moby/buildkit") print $(i+1)}' "${ROOT}/go.mod" | head -1)"
BUILDKIT_BIN="${CACHE}/buildkit-${BUILDKIT_VERSION}"
# cosign for the signing tests, pinned; install-cosign.sh says why this version.
COSIGN_VERSION="v3.1.3"
COSIGN_BIN="${CACHE}/cosign-${COSIGN_VERSION}"
# helm for the air-gap install tests, pinned; install-helm.sh says why this version.
HELM_VERSION="v3.21.4"
HELM_BIN="${CACHE}/helm-${HELM_VERSION}"
# The scanner's version: the syft it is built on plus a hash of its module,
# so an edit to tools/syft-scanner rebuilds it and retags the image.
SYFT_SCANNER_VERSION="$(awk '{for(i=1;i<NF;i++) if($i=="github.com/anchore/syft") print $(i+1)}' "${ROOT}/tools/syft-scanner/go.mod")-$(cat "${ROOT}"/tools/syft-scanner/{go.mod,go.sum,*.go} | sha256sum | cut -c1-12)"
SYFT_SCANNER_BIN="${CACHE}/syft-scanner-${SYFT_SCANNER_VERSION}"

log() { printf '[stack] %s\n' "$*" >&2; }

# go_install_tool NAME PACKAGE@VERSION BINDIR builds a Go CLI from the module
# proxy into BINDIR (once per version; BINDIR is the cache), outside any
# module so this repository's go.mod plays no part.
go_install_tool() {
  local name="$1" pkg="$2" bindir="$3"
  [[ -x "${bindir}/${name}" ]] && return 0
  log "building ${pkg} into ${bindir} (once per machine)"
  mkdir -p "${CACHE}"
  local tmp
  tmp="$(mktemp -d "${CACHE}/${name}.build.XXXXXX")"
  (cd "${tmp}" && GOBIN="${tmp}/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 go install -trimpath "${pkg}") \
    && rm -rf "${bindir}" && mv "${tmp}/bin" "${bindir}"
  local rc=$?
  rm -rf "${tmp}"
  [[ ${rc} -eq 0 ]] && log "${name} ready"
  return "${rc}"
}

# starttime PID: the process's start time, which tells it from a later
# process that reuses its pid (e.g. after a reboot).
starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

# alive PIDFILE: true when the pid in PIDFILE is still the process we started
# (its start time is recorded in the .start file beside it).
alive() {
  [[ -f "$1" ]] || return 1
  local pid; pid="$(cat "$1")"
  kill -0 "${pid}" 2>/dev/null || return 1
  [[ "$(starttime "${pid}")" == "$(cat "${1%.pid}.start" 2>/dev/null)" ]]
}

# wait_for DESC CMD...: retry CMD for up to 30 s.
wait_for() {
  local desc="$1"; shift
  for _ in $(seq 1 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  log "timed out waiting for ${desc}"; return 1
}

# Loopback ports; override when they clash with something on the machine.
REGISTRY_PORT="${ISTIO_MAB_REGISTRY_PORT:-15000}"
SECURE_REGISTRY_PORT="${ISTIO_MAB_SECURE_REGISTRY_PORT:-15443}"
GIT_PORT="${ISTIO_MAB_GIT_PORT:-19418}"
FILES_PORT="${ISTIO_MAB_FILES_PORT:-18080}"
REGISTRY="127.0.0.1:${REGISTRY_PORT}"
# The OCI 1.1 referrers registry sits next to the plain one (15001 by default),
# so a stack moved by ISTIO_MAB_REGISTRY_PORT moves it along.
REFERRERS_REGISTRY_PORT="${ISTIO_MAB_REFERRERS_REGISTRY_PORT:-$((REGISTRY_PORT + 1))}"
REFERRERS_REGISTRY="127.0.0.1:${REFERRERS_REGISTRY_PORT}"
SECURE_REGISTRY="127.0.0.1:${SECURE_REGISTRY_PORT}"
# Unix socket paths are limited to 108 bytes; deep checkouts fall back to /tmp.
BUILDKIT_SOCK="${STACK}/buildkitd.sock"
if ((${#BUILDKIT_SOCK} > 100)); then
  BUILDKIT_SOCK="/tmp/istio-mab-$(printf %s "${STACK}" | sha256sum | cut -c1-12).sock"
fi

# start NAME CMD...: runs CMD in the background, detached, with its pid in
# .stack/NAME.pid and its output in .stack/NAME.log; no-op if already running.
start() {
  local name="$1"; shift
  if alive "${STACK}/${name}.pid"; then
    return 0
  fi
  setsid "$@" >"${STACK}/${name}.log" 2>&1 < /dev/null &
  echo $! >"${STACK}/${name}.pid"
  starttime $! >"${STACK}/${name}.start"
  log "started ${name} (pid $!)"
}
