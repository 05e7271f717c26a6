#!/usr/bin/env bash
# The real-Istio lane (`make real VERSION=<tag> ISTIO_SRC=<clone of istio/istio>`,
# docs/real-istio.md): builds an upstream Istio tag end to end with istio-mab on
# the local stack (`make up`), then checks the result independently.
#
# This machine reaches only the Go module proxy, Debian and npm, so what
# upstream downloads from elsewhere is stood in for, under upstream's names:
#   - base images: busybox under the tag's real BASE_VERSION (debug variant
#     only: proxyv2's distroless stage pins an iptables digest up to 1.22);
#   - Envoy: the stack's fake Envoy (a static ELF per arch) under upstream's
#     file names for the tag's proxy SHA;
#   - Go builder image: upstream's Go for the tag, from the module proxy's
#     golang.org/toolchain module (Go >= 1.21), else the stack's host-Go image;
#   - module versions the module proxy refuses: zipped from the module's own
#     git mirror, served from loopback only when the hash equals go.sum's.
#
# Settings (environment): VERSION, ISTIO_SRC (required); GO_VERSION (default:
# the tag's line in $UPSTREAM_GO); LIMIT=1 also times the host's go build of
# the same binaries; COLD=1 prunes BuildKit's cache and istio-mab's export
# cache first and forces the build (otherwise an up-to-date rerun stops early);
# DRY_RUN=1 prepares everything and prints istio-mab's plan, building nothing;
# ISTIOCTL=PLATFORMS narrows the istioctl archives (--istioctl), and the limit
# with them, as the plan says.
source "$(dirname "$0")/lib.sh"
: "${VERSION:?set VERSION=<upstream tag>}" "${ISTIO_SRC:?set ISTIO_SRC=<local clone of istio/istio>}"
UPSTREAM_GO="${UPSTREAM_GO:-${ROOT}/recipes/upstream-go.txt}" # istio/tools' record, as --go upstream reads it
MIRRORS="${MIRRORS:-${CACHE}/mirrors}" # git mirrors of refused modules, as OWNER+NAME/repo
UPSTREAM_PROXY="${UPSTREAM_PROXY:-https://proxy.golang.org}"
set -a && . "${STACK}/env" && set +a
# The stack's port overrides share istio-mab's prefix, and istio-mab refuses
# every ISTIO_MAB_* variable it does not know: lib.sh has read them already.
unset ISTIO_MAB_REGISTRY_PORT ISTIO_MAB_SECURE_REGISTRY_PORT ISTIO_MAB_REFERRERS_REGISTRY_PORT ISTIO_MAB_GIT_PORT ISTIO_MAB_FILES_PORT

REAL="${STACK}/real"
W="${REAL}/${VERSION}"
MAB="${ROOT}/bin/istio-mab"
REALCTL="${STACK}/bin/realctl"
HUB="${REGISTRY}/real"
mkdir -p "${W}"
(cd "${ROOT}" && go build -o "${REALCTL}" ./e2e/cmd/realctl)
now() { date +%s.%N; }
since() { awk -v s="$1" -v e="$(now)" 'BEGIN { printf "%.1f", e - s }'; }
say() { printf '[real %s] %s\n' "${VERSION}" "$*" | tee -a "${W}/summary.txt" >&2; }
: >"${W}/summary.txt"

# 1. Source: a fresh shared clone at the tag, so the tree is exactly the tag
# (clean, committed: istio-mab stamps its commit into every binary).
# A clone whose objects lack some of the tag's blobs (a mirror that leaves out
# its largest files; 1.14.6 has a test binary committed at
# pkg/test/fakes/imageregistry/main) checks out everything else, the absent
# files marked skip-worktree (sparse checkout): git status stays clean, HEAD is
# the tag's commit. Absent Go sources, modules or Dockerfiles are refused, as
# the build would not be upstream's.
rm -rf "${W}/src"
git clone -q --shared --no-checkout -c advice.detachedHead=false --branch "${VERSION}" "${ISTIO_SRC}" "${W}/src"
SRC="${W}/src"
git -C "${SRC}" ls-tree -r --format='%(objecttype) %(objectname) %(path)' HEAD | awk '$1 == "blob"' >"${W}/tree.txt"
absent="$(cut -d' ' -f2 "${W}/tree.txt" | git -C "${SRC}" cat-file --batch-check | awk '$2 == "missing" { print $1 }' |
  awk 'NR == FNR { m[$1] = 1; next } ($2 in m) { sub(/^[^ ]+ [^ ]+ /, ""); print }' - "${W}/tree.txt")"
rm -f "${W}/tree.txt"
if [[ -n "${absent}" ]]; then
  if grep -E '(\.go|(^|/)go\.(mod|sum)|(^|/)Dockerfile[^/]*)$' <<<"${absent}" >&2; then
    echo "[real ${VERSION}] these files of the tag are absent from ${ISTIO_SRC}'s objects: fetch them first" >&2; exit 1
  fi
  git -C "${SRC}" sparse-checkout set --no-cone '/*' $(sed 's|^|!/|' <<<"${absent}")
fi
git -C "${SRC}" read-tree -mu HEAD
BASE_VERSION="$(sed -n 's/^BASE_VERSION ?= *//p' "${SRC}/Makefile.core.mk")"
PROXY_SHA="$(jq -r '.[] | select(.name == "PROXY_REPO_SHA") | .lastStableSHA' "${SRC}/istio.deps")"
say "commit $(git -C "${SRC}" rev-parse HEAD), BASE_VERSION ${BASE_VERSION}, proxy SHA ${PROXY_SHA}"
if [[ -n "${absent}" ]]; then say "absent from ${ISTIO_SRC}'s objects, left out of the checkout (skip-worktree): $(tr '\n' ' ' <<<"${absent}")"; fi

# 2. Go builder image. golang.org/toolchain modules exist from go1.21.0; the
# go command itself fetches one (and checks it against the checksum database)
# when GOTOOLCHAIN names it. Older Go: the stack's host-Go image, on which
# istio-mab adds -checklinkname=0 where the release line's recipe says.
GO_VERSION="${GO_VERSION:-$(awk -v v="${VERSION}" '$1 == v { sub("upstreamGo=", "", $2); print $2 }' "${UPSTREAM_GO}" 2>/dev/null)}"
: "${GO_VERSION:?no upstream Go for ${VERSION} in ${UPSTREAM_GO}: set GO_VERSION}"
minor() { local v="${1#*.}"; echo "${v%%.*}"; }
seed_go=()
if (( $(minor "${GO_VERSION}") >= 21 )); then
  TOOLCHAIN="$(cd / && GOTOOLCHAIN="go${GO_VERSION}" GOFLAGS= go env GOROOT)"
  seed_go=(--goroot "${TOOLCHAIN}")
  LANE_GO_IMAGE="${REGISTRY}/library/golang:${GO_VERSION}"
  HOST_GO="${TOOLCHAIN}/bin/go"
  say "Go ${GO_VERSION}: builder image from golang.org/toolchain@v0.0.1-go${GO_VERSION}.linux-amd64"
else
  LANE_GO_IMAGE="${GO_IMAGE}"
  HOST_GO="$(command -v go)"
  say "Go ${GO_VERSION}: no toolchain module before go1.21; using the host-Go image ${GO_IMAGE}"
fi

# 3. Stand-in base images under the tag's BASE_VERSION, and the Go image.
# cd /: the toolchain's go must not see this repository's go.mod.
(cd / && GOTOOLCHAIN=local "${STACK}/bin/stackctl" seed --registry "${REGISTRY}" --base-version "${BASE_VERSION}" \
  "${seed_go[@]}" --busybox-amd64 "${CACHE}/busybox/amd64/busybox" --busybox-arm64 "${CACHE}/busybox/arm64/busybox") \
  >"${W}/seed.out"

# 4. Stand-in Envoy downloads for the proxy SHA. Lines before 1.15 have no
# arm64 Envoy upstream: name the stand-in's arm64 tarball explicitly, as a
# user names a community build.
ENVOY_URL="${ENVOY_BASE_URL}/real-envoy"
(cd "${ROOT}" && "${REALCTL}" envoy --src "${SRC}" --out "${STACK}/files/real-envoy") >"${W}/envoy.out"
envoy_args=(--envoy-base-url "${ENVOY_URL}")
if [[ "${VERSION}" == 1.* ]] && (( $(minor "${VERSION}") < 15 )); then
  envoy_args+=(--envoy "linux/arm64=${ENVOY_URL}/envoy-alpha-${PROXY_SHA}-arm64.tar.gz")
fi

# 5. Modules. Download the release's modules on the host through the loopback
# proxy then the real one (a cache of its own, kept between runs); each
# version the real proxy refuses (403/404/410) is built from its git mirror
# (realctl checks go.sum) and the download is retried until nothing is refused.
GOPROXY_DIR="${STACK}/files/real-goproxy"
LANE_GOPROXY="${ENVOY_BASE_URL}/real-goproxy,${UPSTREAM_PROXY}"
mirror_for() {
  case "$1" in
    istio.io/*) echo "${MIRRORS}/istio+${1#istio.io/}/repo" ;;
    github.com/*/*) # OWNER/REPO[/SUBDIR][/vN]: a module nested in its repository is served from SUBDIR
      local r="${1#github.com/}"; r="${r%/v[0-9]*}"; local owner="${r%%/*}" rest="${r#*/}"
      local name="${rest%%/*}" sub=""; [[ "${rest}" == */* ]] && sub="#${rest#*/}"
      echo "${MIRRORS}/${owner}+${name}/repo${sub}" ;;
    *) return 1 ;;
  esac
}
mkdir -p "${GOPROXY_DIR}"
for attempt in $(seq 1 20); do
  if out="$(cd "${SRC}" && GOTOOLCHAIN=local GOFLAGS=-mod=mod GOWORK=off GOMODCACHE="${REAL}/gomodcache" \
      GOPROXY="${LANE_GOPROXY}" go mod download -json 2>&1)"; then
    break
  fi
  # A replaced module reads "M@V (replaced by R@W): reading ...": R@W is the one to serve.
  refused="$({ grep -oE '[A-Za-z0-9._~/-]+@v[^: "()]+\)?: reading https?://[^ ]+: (403|404|410)' <<<"${out}" || true; } |
    cut -d: -f1 | tr -d ')' | sort -u)"
  if [[ -z "${refused}" ]] || (( attempt == 20 )); then
    { grep -iE 'error|^go: ' <<<"${out}" || true; } | head -20 >&2
    say "module download failed, and not (only) for refused versions"; exit 1
  fi
  for mv in ${refused}; do
    repo="$(mirror_for "${mv%@*}")" && [[ -d "${repo%%#*}" ]] ||
      { say "${mv} is refused by ${UPSTREAM_PROXY}; fetch its repository as a git mirror under ${MIRRORS}"; exit 1; }
    say "refused by ${UPSTREAM_PROXY}: ${mv}; serving it from loopback, built from ${repo}"
    "${REALCTL}" goproxy --go-sum "${SRC}/go.sum" --out "${GOPROXY_DIR}" "${mv}=${repo}" | tee -a "${W}/summary.txt"
  done
done

# What the loopback proxy serves for this release (this run's or earlier ones').
while read -r list; do
  mod="${list#"${GOPROXY_DIR}"/}" && mod="${mod%/@v/list}"
  for v in $(cat "${list}"); do
    if grep -q "^${mod} ${v} " "${SRC}/go.sum"; then say "served from loopback (refused by ${UPSTREAM_PROXY}): ${mod}@${v}"; fi
  done
done < <(find "${GOPROXY_DIR}" -name list)

# 6. The build. XDG_CACHE_HOME: the lane's export cache is its own, not the
# main checkout's (~/.cache/istio-mab/exports).
export XDG_CACHE_HOME="${REAL}/cache"
force=()
if [[ "${COLD:-0}" == 1 ]]; then
  "${BUILDCTL}" --addr "${BUILDKIT_HOST}" prune --all >/dev/null
  rm -rf "${XDG_CACHE_HOME}/istio-mab/exports" "${W}/dist"
  force=(--force)
  say "cold: BuildKit cache pruned, export cache emptied"
fi
mab_args=(--version "${VERSION}" --hub "${HUB}" --source "${SRC}" --base-registry "${BASE_REGISTRY}"
  --go-image "${LANE_GO_IMAGE}" --insecure-registry "${REGISTRY}" --goproxy "${LANE_GOPROXY}"
  --dist "${W}/dist" "${envoy_args[@]}")
# SBOM attestations (on by default) from the stack's scanner image: BuildKit's
# default generator is on Docker Hub, which this machine cannot reach.
if [[ -n "${SBOM_GENERATOR:-}" ]]; then mab_args+=(--sbom-generator "${SBOM_GENERATOR}"); else mab_args+=(--sbom=false); fi
if [[ -n "${ISTIOCTL:-}" ]]; then mab_args+=(--istioctl "${ISTIOCTL}"); fi
"${MAB}" plan --output json "${mab_args[@]}" >"${W}/plan.json"
if [[ "${DRY_RUN:-0}" == 1 ]]; then
  "${MAB}" build --dry-run "${mab_args[@]}"
  say "dry run: everything prepared, nothing built"; exit 0
fi
say "istio-mab build ${mab_args[*]} ${force[*]}"
# Timings on a shared machine: record how busy it was.
say "load average before the build: $(cut -d' ' -f1-3 /proc/loadavg)"
start_s=$(now)
rc=0
"${MAB}" build "${mab_args[@]}" "${force[@]}" --metadata-file "${W}/metadata.json" --progress plain >"${W}/build.log" 2>&1 || rc=$?
mab_s=$(since "${start_s}")
if ((rc != 0)); then
  tail -n 30 "${W}/build.log" >&2
  say "istio-mab build failed (exit ${rc}) after ${mab_s} s; log: ${W}/build.log"; exit 1
fi
say "istio-mab build: ${mab_s} s wall (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"

# 7. Checks, independent of istio-mab: lists, binaries run, archives.
"${REALCTL}" check --hub "${HUB}" --version "${VERSION}" --dist "${W}/dist" >"${W}/check.out" 2>&1 ||
  { cat "${W}/check.out" >&2; say "realctl check failed"; exit 1; }
"${MAB}" verify --version "${VERSION}" --hub "${HUB}" --insecure-registry "${REGISTRY}" >"${W}/verify.out" 2>&1 ||
  { cat "${W}/verify.out" >&2; say "istio-mab verify failed"; exit 1; }
say "checks passed (realctl check, istio-mab verify)"

# 8. The limit (LIMIT=1): the host's go build of the plan's binaries, same
# Go, tags and ldflags, one after another, with fresh module and build caches
# (so module downloads count, as in the cold build above).
if [[ "${LIMIT:-0}" == 1 ]]; then
  L="${W}/limit"; rm -rf "${L}"; mkdir -p "${L}"
  lstart=$(now)
  # Fields split on \x1f: with a whitespace IFS, empty fields would vanish.
  jq -r '.linknameFix as $fix | .binaries[] | [.name, .package, (.tags // [] | join(",")), .platform.os,
      .platform.architecture, (.platform.variant // "" | ltrimstr("v")),
      ((if $fix then "-checklinkname=0 " else "" end) + .ldflags)] | join("\u001f")' "${W}/plan.json" |
  while IFS=$'\x1f' read -r name pkg tags os arch arm ldflags; do
    t=$(now)
    (cd "${SRC}" && CGO_ENABLED=0 GOOS="${os}" GOARCH="${arch}" GOARM="${arm}" GOTOOLCHAIN=local GOWORK=off \
      GOFLAGS=-buildvcs=false GOMODCACHE="${L}/gomodcache" GOCACHE="${L}/gocache" GOPROXY="${LANE_GOPROXY}" \
      "${HOST_GO}" build -trimpath -tags "${tags}" -ldflags "${ldflags}" -o "${L}/out/${os}_${arch}${arm}/${name}" "${pkg}")
    printf '  limit %s %s/%s%s: %s s\n' "${name}" "${os}" "${arch}" "${arm:+/v${arm}}" "$(since "${t}")" | tee -a "${W}/summary.txt"
  done
  limit_s=$(since "${lstart}")
  say "load average after the limit: $(cut -d' ' -f1-3 /proc/loadavg)"
  if [[ "${COLD:-0}" == 1 ]]; then
    say "limit (host go build, $(cd / && "${HOST_GO}" env GOVERSION)): ${limit_s} s wall; istio-mab / limit = $(awk -v a="${mab_s}" -v b="${limit_s}" 'BEGIN { printf "%.2f", a / b }')"
  else
    # A warm build (up to date, or cached) against a cold limit is no ratio.
    say "limit (host go build, $(cd / && "${HOST_GO}" env GOVERSION)): ${limit_s} s wall; no ratio: the build was not cold (COLD=1)"
  fi
  chmod -R u+w "${L}/gomodcache" && rm -rf "${L}/gomodcache" "${L}/gocache"
fi
say "done; summary in ${W}/summary.txt"
