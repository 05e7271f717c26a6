// Package istiomab holds the repository-root data embedded in the binary:
// the default image platform list, platforms.yaml.
package istiomab

import _ "embed"

// PlatformsYAML is platforms.yaml at the repository root.
//
//go:embed platforms.yaml
var PlatformsYAML []byte
