#!/usr/bin/env bash
# Builds the cosign CLI from the Go module proxy, cached per version outside the
# checkout (like BuildKit): the e2e tests sign and verify with a real client.
# v3 is the newest major the proxy serves; its go.mod has no replace or exclude
# directives, so `go install pkg@version` works and needs no wrapper module.
source "$(dirname "$0")/lib.sh"
if [[ -x "${COSIGN_BIN}/cosign" ]]; then
  exit 0
fi
log "building cosign ${COSIGN_VERSION} into ${COSIGN_BIN} (once per machine)"
mkdir -p "${CACHE}"
tmp="$(mktemp -d "${CACHE}/cosign.build.XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
# Outside any module, so this repository's go.mod plays no part.
(cd "${tmp}" && GOBIN="${tmp}/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
  go install -trimpath "github.com/sigstore/cosign/v3/cmd/cosign@${COSIGN_VERSION}")
rm -rf "${COSIGN_BIN}" && mv "${tmp}/bin" "${COSIGN_BIN}"
log "cosign ${COSIGN_VERSION} ready"
