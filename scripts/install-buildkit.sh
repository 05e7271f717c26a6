#!/usr/bin/env bash
# Builds buildkitd and buildctl at the version go.mod requires, cached per version
# outside the checkout: the build takes minutes, so it happens once per machine.
source "$(dirname "$0")/lib.sh"
if [[ -x "${BUILDKIT_BIN}/buildkitd" && -x "${BUILDKIT_BIN}/buildctl" ]]; then
  exit 0
fi
log "building buildkit ${BUILDKIT_VERSION} into ${BUILDKIT_BIN} (once per machine)"
tmp="$(mktemp -d "${CACHE}.build.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "${CACHE}")"; mktemp -d "${CACHE}.build.XXXXXX"; })"
trap 'rm -rf "${tmp}"' EXIT
# Built from this module: `go install pkg@version` is refused for BuildKit (exclude directives).
(cd "${ROOT}" && CGO_ENABLED=0 go build -o "${tmp}/" \
  github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl)
mkdir -p "$(dirname "${BUILDKIT_BIN}")"
rm -rf "${BUILDKIT_BIN}" && mv "${tmp}" "${BUILDKIT_BIN}" && trap - EXIT
log "buildkit ${BUILDKIT_VERSION} ready"
