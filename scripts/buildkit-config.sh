#!/usr/bin/env bash
# Writes buildkitd's config: OCI worker with overlayfs, and registry settings that
# trust exactly the stack's registries (plain HTTP only for the loopback test one).
source "$(dirname "$0")/lib.sh"
mkdir -p "${STACK}/buildkit"
cat >"${STACK}/buildkit/buildkitd.toml" <<TOML
root = "${STACK}/buildkit/root"

[grpc]
  address = ["unix://${BUILDKIT_SOCK}"]

[worker.oci]
  enabled = true
  snapshotter = "overlayfs"

[worker.containerd]
  enabled = false

[registry."${REGISTRY}"]
  http = true

[registry."${REFERRERS_REGISTRY}"]
  http = true

[registry."${SECURE_REGISTRY}"]
  ca = ["${STACK}/secure-registry/ca.pem"]
  # Explicit: BuildKit otherwise falls back to plain HTTP for loopback hosts.
  http = false
TOML
