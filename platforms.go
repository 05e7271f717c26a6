package istiomab

import _ "embed"

// PlatformsYAML is platforms.yaml at the repository root.
//
//go:embed platforms.yaml
var PlatformsYAML []byte
