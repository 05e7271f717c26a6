#!/usr/bin/env bash
# Installs (if missing) and starts the local build stack on loopback: buildkitd,
# a plain and a TLS+auth registry, a git daemon serving the Istio-shaped fixture,
# and a file server with fake Envoy downloads and the test Go modules (GOPROXY
# layout), an OCI 1.1 registry with the referrers API; seeds base and Go images
# and an SBOM generator image; builds cosign and helm.
# Idempotent: what already runs is reused. Endpoints go to .stack/env.
source "$(dirname "$0")/lib.sh"
mkdir -p "${STACK}/bin"
S="$(dirname "$0")"

bash "${S}/install-deps.sh"
bash "${S}/install-buildkit.sh"
bash "${S}/install-cosign.sh"
bash "${S}/install-helm.sh"
bash "${S}/install-syft-scanner.sh"
bash "${S}/binfmt.sh"
bash "${S}/tls.sh"
bash "${S}/registry-config.sh"
bash "${S}/buildkit-config.sh"

(cd "${ROOT}" && go build -o "${STACK}/bin/stackctl" ./e2e/cmd/stackctl)
STACKCTL="${STACK}/bin/stackctl"

start registry docker-registry serve "${STACK}/registry/config.yml"
start secure-registry docker-registry serve "${STACK}/secure-registry/config.yml"
start referrers-registry "${STACKCTL}" registry --listen "${REFERRERS_REGISTRY}" --dir "${STACK}/referrers-registry"

"${STACKCTL}" fixture --out "${STACK}/git" >"${STACK}/fixture.out"
start git-daemon git daemon --reuseaddr --export-all --listen=127.0.0.1 --port="${GIT_PORT}" \
  --base-path="${STACK}/git" "${STACK}/git"

"${STACKCTL}" envoy --out "${STACK}/files" >"${STACK}/files.out"
# The modules only the fixture's 1.22.2 imports, in GOPROXY layout under the
# same file server: the stack's Go module proxy.
"${STACKCTL}" goproxy --out "${STACK}/files/goproxy" >"${STACK}/goproxy.out"
start files "${STACKCTL}" serve --dir "${STACK}/files" --listen "127.0.0.1:${FILES_PORT}" --addr-file "${STACK}/files.addr"

start buildkitd "${BUILDKIT_BIN}/buildkitd" --config "${STACK}/buildkit/buildkitd.toml"

wait_for "registry on ${REGISTRY}" curl -fsS "http://${REGISTRY}/v2/"
wait_for "secure registry on ${SECURE_REGISTRY}" \
  bash -c "curl -sS --cacert '${STACK}/secure-registry/ca.pem' -o /dev/null -w '%{http_code}' https://${SECURE_REGISTRY}/v2/ | grep -q 401"
wait_for "referrers registry on ${REFERRERS_REGISTRY}" curl -fsS "http://${REFERRERS_REGISTRY}/v2/"
wait_for "git daemon on ${GIT_PORT}" git ls-remote "git://127.0.0.1:${GIT_PORT}/istio.git"
wait_for "file server" bash -c "test -s '${STACK}/files.addr' && curl -fsS -o /dev/null http://\$(cat '${STACK}/files.addr')/"
wait_for "buildkitd" "${BUILDKIT_BIN}/buildctl" --addr "unix://${BUILDKIT_SOCK}" debug workers

# A service that exited (say its port was taken) may leave another process
# answering on its port: check every one we started is still ours and running.
for name in registry secure-registry referrers-registry git-daemon files buildkitd; do
  if ! alive "${STACK}/${name}.pid"; then
    log "${name} is not running: $(tail -n 1 "${STACK}/${name}.log")"
    exit 1
  fi
done

base_versions=$(sed -n 's/^BASE_VERSION ?= *//p' "${ROOT}"/e2e/testdata/fixture/*/Makefile.core.mk | sort -u)
seed_args=()
for v in ${base_versions}; do seed_args+=(--base-version "${v}"); done
"${STACKCTL}" seed --registry "${REGISTRY}" "${seed_args[@]}" \
  --busybox-amd64 "${CACHE}/busybox/amd64/busybox" --busybox-arm64 "${CACHE}/busybox/arm64/busybox" \
  >"${STACK}/seed.out"
GO_IMAGE="$(sed -n 's/^GO_IMAGE=//p' "${STACK}/seed.out")"
"${STACKCTL}" seed-scanner --registry "${REGISTRY}" --version "${SYFT_SCANNER_VERSION}" \
  --amd64 "${SYFT_SCANNER_BIN}/amd64/syft-scanner" --arm64 "${SYFT_SCANNER_BIN}/arm64/syft-scanner" \
  >"${STACK}/seed-scanner.out"
SBOM_GENERATOR="$(sed -n 's/^SBOM_GENERATOR=//p' "${STACK}/seed-scanner.out")"

cat >"${STACK}/env" <<ENV
STACK_DIR=${STACK}
BUILDKIT_HOST=unix://${BUILDKIT_SOCK}
BUILDCTL=${BUILDKIT_BIN}/buildctl
REGISTRY=${REGISTRY}
SECURE_REGISTRY=${SECURE_REGISTRY}
SECURE_REGISTRY_CA=${STACK}/secure-registry/ca.pem
SECURE_REGISTRY_USER=mab
SECURE_REGISTRY_PASSWORD_FILE=${STACK}/secure-registry/password
GIT_URL=git://127.0.0.1:${GIT_PORT}/istio.git
ENVOY_BASE_URL=http://$(cat "${STACK}/files.addr")
MODULE_PROXY_URL=http://$(cat "${STACK}/files.addr")/goproxy
BASE_REGISTRY=${REGISTRY}/istio-release
GO_IMAGE=${GO_IMAGE}
COSIGN=${COSIGN_BIN}/cosign
HELM=${HELM_BIN}/helm
SBOM_GENERATOR=${SBOM_GENERATOR}
REFERRERS_REGISTRY=${REFERRERS_REGISTRY}
ENV
log "stack is up; endpoints in ${STACK}/env:"
cat "${STACK}/env"
