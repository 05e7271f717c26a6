#!/usr/bin/env bash
# Runs the main job end to end on the local stack: the user's own example,
# Istio 1.14.3 (amd64-only upstream) rebuilt for linux/amd64 and linux/arm64,
# with the arm64 Envoy supplied from the stack's file server, as upstream has none.
source "$(dirname "$0")/lib.sh"
set -a; source "${STACK}/env"; set +a
deps="${ROOT}/e2e/testdata/fixture/1.14.3/istio.deps"
sha="$(grep -A4 '"PROXY_REPO_SHA"' "${deps}" | sed -n 's/.*"lastStableSHA": *"\([0-9a-f]*\)".*/\1/p')"
# The stack's port overrides share istio-mab's ISTIO_MAB_ prefix, and
# istio-mab refuses variables it does not know.
unset ISTIO_MAB_REGISTRY_PORT ISTIO_MAB_SECURE_REGISTRY_PORT ISTIO_MAB_REFERRERS_REGISTRY_PORT ISTIO_MAB_GIT_PORT ISTIO_MAB_FILES_PORT
# SBOMs come from the stack's scanner image when it has one (BuildKit's
# default one is on Docker Hub, out of reach here).
sbom=(--sbom=false)
[ -n "${SBOM_GENERATOR:-}" ] && sbom=(--sbom-generator "${SBOM_GENERATOR}")
# --force: the demo always shows a whole run, even when its lists are up to date.
exec "${ROOT}/bin/istio-mab" build "${sbom[@]}" \
  --version 1.14.3 \
  --hub "${REGISTRY}/demo/istio" \
  --source "${GIT_URL}" \
  --buildkit-addr "${BUILDKIT_HOST}" \
  --go-image "${GO_IMAGE}" \
  --base-registry "${BASE_REGISTRY}" \
  --envoy-base-url "${ENVOY_BASE_URL}" \
  --envoy "linux/arm64=${ENVOY_BASE_URL}/envoy-alpha-${sha}-arm64.tar.gz" \
  --insecure-registry "${REGISTRY}" \
  --dist "${ROOT}/dist" \
  --force \
  --progress "${PROGRESS:-plain}"
