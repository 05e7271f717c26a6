//go:build tools

// Package tools pins the BuildKit daemon and CLI that scripts/install-buildkit.sh
// builds, so they come from the same version as the client library.
package tools

import (
	_ "github.com/moby/buildkit/cmd/buildctl"
	_ "github.com/moby/buildkit/cmd/buildkitd"
)
