#!/usr/bin/env bash
# Builds the helm CLI from the Go module proxy, cached per version outside the
# checkout (like cosign): the air-gap e2e tests pull the imported charts from
# the internal registry and render them with a real client. v3 is the line
# whose OCI support (3.8+) the bundle's chart artifacts target; v3.21.4 is the
# newest v3 the proxy serves that is approved. Its go.mod has no replace
# directive, so `go install pkg@version` works with no wrapper module.
source "$(dirname "$0")/lib.sh"
if [[ -x "${HELM_BIN}/helm" ]]; then
  exit 0
fi
log "building helm ${HELM_VERSION} into ${HELM_BIN} (once per machine)"
mkdir -p "${CACHE}"
tmp="$(mktemp -d "${CACHE}/helm.build.XXXXXX")"
trap 'rm -rf "${tmp}"' EXIT
# Outside any module, so this repository's go.mod plays no part.
(cd "${tmp}" && GOBIN="${tmp}/bin" GOFLAGS=-buildvcs=false CGO_ENABLED=0 \
  go install -trimpath "helm.sh/helm/v3/cmd/helm@${HELM_VERSION}")
rm -rf "${HELM_BIN}" && mv "${tmp}/bin" "${HELM_BIN}"
log "helm ${HELM_VERSION} ready"
