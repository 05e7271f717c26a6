#!/usr/bin/env bash
# Stops exactly the processes stack-up.sh started, by the pids it recorded.
# State (images, build cache) stays under .stack/ for the next `make up`.
source "$(dirname "$0")/lib.sh"
shopt -s nullglob
# Signal everything first, then wait: each process takes a moment to be reaped.
stopping=()
for pidfile in "${STACK}"/*.pid; do
  if alive "${pidfile}"; then
    pid="$(cat "${pidfile}")"
    kill "${pid}"
    stopping+=("${pid}:$(basename "${pidfile}" .pid)")
  fi
done
for entry in "${stopping[@]}"; do
  pid="${entry%%:*}" name="${entry#*:}"
  for _ in $(seq 1 50); do kill -0 "${pid}" 2>/dev/null || break; sleep 0.2; done
  kill -0 "${pid}" 2>/dev/null && kill -9 "${pid}"
  log "stopped ${name} (pid ${pid})"
done
rm -f "${STACK}"/*.pid "${STACK}"/*.start "${STACK}/files.addr"
