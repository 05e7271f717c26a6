package istiomab

import (
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/parse"
)

// The ...Flags types hold a request as text, as istio-mab's flags,
// ISTIO_MAB_* variables and config files spell it, for a command line or a
// tool that takes the same settings. Their Request methods check and type
// them as the CLI does; errors name the flag (--hub) and are bad input
// (exit 2).

// ReleaseFlags name a release and where its lists are: --version, --hub,
// --tag, --platforms, --platforms-file, --images and --variants.
type ReleaseFlags struct {
	Version, Hub, Tag string
	Platforms         string // comma-separated; empty: the platforms file's
	PlatformsFile     string // replaces the embedded platforms.yaml; empty: none
	Images, Variants  string // comma-separated; empty: the recipe's defaults
}

// release names the lists under hub, already checked.
func (r ReleaseFlags) release(hub string) Release {
	return Release{Version: r.Version, Hub: hub, Tag: r.Tag, Images: parse.Items(r.Images), Variants: parse.Items(r.Variants)}
}

// platforms are --platforms, else the platforms file's.
func (r ReleaseFlags) platforms() ([]ocispecs.Platform, error) {
	return parse.Platforms(r.Platforms, r.PlatformsFile, PlatformsYAML)
}

// RegistryFlags say how registries are reached: --insecure-registry and
// --registry-ca.
type RegistryFlags struct {
	Insecure []string // HOST[:PORT] each, or several separated by commas or spaces
	CA       string   // a PEM file of extra certificate authorities
}

// registries adds more CA files (a build's --ca-bundle) to the flags'.
func (r RegistryFlags) registries(more ...string) Registries {
	out := Registries{Insecure: parse.SplitAll(r.Insecure)}
	for _, ca := range append([]string{r.CA}, more...) {
		if ca != "" {
			out.CAFiles = append(out.CAFiles, ca)
		}
	}
	return out
}

// hub parses a --hub and tells note where a Docker Hub shorthand resolved to.
func hub(given string, note func(string)) (string, error) {
	h, err := parse.Hub(given)
	if s := parse.HubNote(given, h); err == nil && s != "" && note != nil {
		note(s)
	}
	return h, err
}
