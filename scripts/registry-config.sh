#!/usr/bin/env bash
# Writes the distribution registry configs: a plain-HTTP one and a TLS+htpasswd one,
# both on loopback with filesystem storage under .stack/.
source "$(dirname "$0")/lib.sh"
write_config() { # NAME ADDR [extra yaml]
  local dir="${STACK}/$1"
  mkdir -p "${dir}/data"
  cat >"${dir}/config.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: ${dir}/data
  delete:
    enabled: true
http:
  addr: $2
$3
YAML
}
write_config registry "${REGISTRY}" ""
sec="${STACK}/secure-registry"
write_config secure-registry "${SECURE_REGISTRY}" "  tls:
    certificate: ${sec}/server.pem
    key: ${sec}/server.key
auth:
  htpasswd:
    realm: istio-mab-test
    path: ${sec}/htpasswd"
