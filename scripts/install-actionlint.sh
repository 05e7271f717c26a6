#!/usr/bin/env bash
# Builds actionlint from the Go module proxy, cached per version outside the
# checkout (like BuildKit), so `make test` builds it once per machine.
source "$(dirname "$0")/lib.sh"
ACTIONLINT_VERSION="${ACTIONLINT_VERSION:-v1.7.12}"
ACTIONLINT_BIN="${CACHE}/actionlint-${ACTIONLINT_VERSION}"
if [[ -x "${ACTIONLINT_BIN}/actionlint" ]]; then
  exit 0
fi
log "building actionlint ${ACTIONLINT_VERSION} into ${ACTIONLINT_BIN} (once per machine)"
mkdir -p "${CACHE}"
tmp="$(mktemp -d "${CACHE}/actionlint.build.XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
# Outside any module, so this repository's go.mod plays no part.
(cd "${tmp}" && GOBIN="${tmp}/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
  go install "github.com/rhysd/actionlint/cmd/actionlint@${ACTIONLINT_VERSION}")
rm -rf "${ACTIONLINT_BIN}" && mv "${tmp}/bin" "${ACTIONLINT_BIN}"
log "actionlint ${ACTIONLINT_VERSION} ready"
