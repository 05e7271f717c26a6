package plan

import (
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Options are the user's validated choices for one build.
type Options struct {
	Version       string
	Hub           string              // registry/namespace the images go to
	Tag           string              // default: Version
	Platforms     []ocispecs.Platform // image platforms
	Images        []string            // default: every image of the recipe
	Variants      []string            // default: debug
	Source        Source
	EnvoyBaseURL  string            // default: the recipe's
	Envoy         map[string]Envoy  // platform -> an Envoy the user supplies
	EnvoySHA256   map[string]string // platform -> sha256 pin of the Envoy, supplied or upstream's
	GoImage       string            // default: the recipe's
	BaseRegistry  string            // default: the recipe's
	BuildPlatform ocispecs.Platform // where compiles run: the BuildKit worker's platform
	Push          bool
	Go            Go         // module download settings; Proxy defaults to DefaultGoProxy
	MediaTypes    MediaTypes // default: OCI
	Attest        Attest     // BuildKit's attestations on every platform image; default none
	// Istioctl selects the istioctl archives (and so compiles): "" or "all"
	// is every one of the recipe, "none" none, else comma-separated OS/ARCH.
	Istioctl string
}

// Attest says which of BuildKit's attestations each platform image carries:
// SLSA v1 provenance (mode=max) and an SPDX SBOM made by SBOMGenerator, an
// image speaking BuildKit's SBOM scanner protocol.
type Attest struct {
	Provenance    bool   `json:"provenance,omitempty"`
	SBOM          bool   `json:"sbom,omitempty"`
	SBOMGenerator string `json:"sbomGenerator,omitempty"`
}

// Any says whether any attestation is asked for.
func (a Attest) Any() bool { return a.Provenance || a.SBOM }
