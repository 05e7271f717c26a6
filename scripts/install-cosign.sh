#!/usr/bin/env bash
# Builds the cosign CLI from the Go module proxy, cached per version outside the
# checkout (like BuildKit): the e2e tests sign and verify with a real client.
# v3 is the newest major the proxy serves; its go.mod has no replace or exclude
# directives, so `go install pkg@version` works and needs no wrapper module.
source "$(dirname "$0")/lib.sh"
go_install_tool cosign "github.com/sigstore/cosign/v3/cmd/cosign@${COSIGN_VERSION}" "${COSIGN_BIN}"
