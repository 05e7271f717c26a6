#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy, cached per version outside the
# checkout (like cosign): the air-gap e2e tests pull the imported charts from
# the internal registry and render them with a real client. v3 is the line
# whose OCI support (3.8+) the bundle's chart artifacts target; v3.21.4 is the
# newest v3 the proxy serves that is approved. Its go.mod has no replace
# directive, so `go install pkg@version` works with no wrapper module.
source "$(dirname "$0")/lib.sh"
go_install_tool helm "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}" "${HELM_BIN}"
