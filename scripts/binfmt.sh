#!/usr/bin/env bash
# Registers QEMU user-mode emulation for arm64 in binfmt_misc, only if missing,
# so buildkitd can run arm64 RUN steps. Compiles never run under it: too slow.
source "$(dirname "$0")/lib.sh"
BINFMT=/proc/sys/fs/binfmt_misc
if [[ ! -e "${BINFMT}/register" ]]; then
  mount -t binfmt_misc binfmt_misc "${BINFMT}"
fi
if [[ ! -e "${BINFMT}/qemu-aarch64" ]]; then
  conf=/usr/lib/binfmt.d/qemu-aarch64.conf
  [[ -f "${conf}" ]] || { log "missing ${conf}: install qemu-user-static"; exit 1; }
  # The F flag makes the kernel keep the interpreter open, so it works inside containers.
  cat "${conf}" > "${BINFMT}/register"
  log "registered qemu-aarch64 in binfmt_misc"
fi
