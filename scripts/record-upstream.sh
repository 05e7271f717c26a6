#!/usr/bin/env bash
# Records, from a clone of istio/istio, the upstream files the fixture and the
# tree readers are held to
# (e2e/testdata/upstream/<tag>/...), with the commit each tag names.
# TestFixtureFollowsUpstream compares the fixture's directives with them.
# Usage: scripts/record-upstream.sh ISTIO_SRC [TAG...]   (default: the fixture's tags and 1.31.0-rc.0)
set -euo pipefail
src=${1:?usage: record-upstream.sh ISTIO_SRC [TAG...]}
shift
tags=("$@")
[ ${#tags[@]} -gt 0 ] || tags=(1.14.3 1.22.0 1.22.1 1.22.2 1.31.0-rc.0)
out=$(cd "$(dirname "$0")/.." && pwd)/e2e/testdata/upstream
dockerfiles=(pilot/docker/Dockerfile.pilot pilot/docker/Dockerfile.proxyv2 cni/deployments/kubernetes/Dockerfile.install-cni)
# The files the tree readers' tests read, for one tag of each shape.
treefiles=(Makefile.core.mk bin/init.sh common/scripts/report_build_info.sh)
for tag in "${tags[@]}"; do
  rm -rf "${out:?}/$tag"
  files=("${dockerfiles[@]}")
  case "$tag" in 1.14.3|1.22.0|1.31.0-rc.0) files+=("${treefiles[@]}") ;; esac
  for f in "${files[@]}"; do
    mkdir -p "$out/$tag/$(dirname "$f")"
    git -C "$src" show "refs/tags/$tag:$f" > "$out/$tag/$f"
  done
  git -C "$src" rev-parse "refs/tags/$tag^{commit}" > "$out/$tag/COMMIT"
done
