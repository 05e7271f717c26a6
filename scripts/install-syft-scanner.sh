#!/usr/bin/env bash
# Builds the SBOM generator for BuildKit's attest:sbom (tools/syft-scanner, on
# anchore/syft) for linux/amd64 and linux/arm64, cached outside the checkout by
# syft version and the scanner's source hash; stack-up.sh seeds the image.
# docker/buildkit-syft-scanner would be the usual one, but the Go module proxy
# refuses that module (403 "not available") and its image cannot be pulled here.
source "$(dirname "$0")/lib.sh"
if [[ -x "${SYFT_SCANNER_BIN}/amd64/syft-scanner" && -x "${SYFT_SCANNER_BIN}/arm64/syft-scanner" ]]; then
  exit 0
fi
log "building syft-scanner ${SYFT_SCANNER_VERSION} into ${SYFT_SCANNER_BIN} (once per machine)"
mkdir -p "${CACHE}"
tmp="$(mktemp -d "${CACHE}/syft-scanner.build.XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
# Static, cross-compiled (never under QEMU): BuildKit runs the scanner in a
# scratch image on the build platform.
for arch in amd64 arm64; do
  (cd "${ROOT}/tools/syft-scanner" && CGO_ENABLED=0 GOOS=linux GOARCH="${arch}" GOFLAGS=-buildvcs=false \
    go build -trimpath -ldflags=-s -o "${tmp}/${arch}/syft-scanner" .)
done
rm -rf "${SYFT_SCANNER_BIN}" && mv "${tmp}" "${SYFT_SCANNER_BIN}" && trap - EXIT
log "syft-scanner ${SYFT_SCANNER_VERSION} ready"
