#!/usr/bin/env bash
# Installs the Debian packages the stack runs on, and gcc for go test -race;
# caches busybox-static for amd64 and arm64 (the seeded base images are made
# from it). Idempotent.
source "$(dirname "$0")/lib.sh"

PACKAGES=(runc qemu-user-static docker-registry apache2-utils openssl git busybox-static ca-certificates skopeo gcc libc6-dev)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

fetch_busybox() {
  local arch="$1" out="${CACHE}/busybox/$1/busybox"
  [[ -x "${out}" ]] && return 0
  if [[ "${arch}" != "$(dpkg --print-architecture)" ]] && ! dpkg --print-foreign-architectures | grep -qx "${arch}"; then
    dpkg --add-architecture "${arch}"
    apt-get update -qq
  fi
  local tmp; tmp="$(mktemp -d)"; chmod 755 "${tmp}" # apt downloads as _apt
  (cd "${tmp}" && apt-get download -qq "busybox-static:${arch}" >/dev/null && dpkg -x busybox-static_*.deb x)
  mkdir -p "$(dirname "${out}")"
  install -m 0755 "${tmp}/x/bin/busybox" "${out}"
  rm -rf "${tmp}"
  log "cached busybox for ${arch}"
}
fetch_busybox amd64
fetch_busybox arm64
