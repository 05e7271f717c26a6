#!/usr/bin/env bash
# Generates a CA and a server certificate for 127.0.0.1, and the htpasswd file
# with a random password, for the TLS+auth registry. Idempotent.
source "$(dirname "$0")/lib.sh"
dir="${STACK}/secure-registry"
mkdir -p "${dir}"
if [[ ! -f "${dir}/server.pem" ]]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=istio-mab test CA" \
    -keyout "${dir}/ca.key" -out "${dir}/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
    -keyout "${dir}/server.key" -out "${dir}/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"${dir}/ext.cnf"
  openssl x509 -req -in "${dir}/server.csr" -CA "${dir}/ca.pem" -CAkey "${dir}/ca.key" \
    -CAcreateserial -days 30 -extfile "${dir}/ext.cnf" -out "${dir}/server.pem" 2>/dev/null
fi
if [[ ! -f "${dir}/password" ]]; then
  (umask 077; openssl rand -hex 16 >"${dir}/password")
  # Password on stdin (-i) keeps it out of argv.
  htpasswd -Bci "${dir}/htpasswd" mab <"${dir}/password" 2>/dev/null
fi
