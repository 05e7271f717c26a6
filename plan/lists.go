package plan

import (
	"maps"
	"slices"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/recipes"
)

// List is one manifest list of a release: one variant of one image, under
// every tag upstream gives that variant.
type List struct {
	Image, Variant string
	Repository     string
	Tags           []string
	Shipped        []string // executables each platform image holds
}

// Lists answers "which repositories and tags does this release have" the
// way New names them, for every caller: the push check, the up-to-date
// check, verify, export and mirror.
func Lists(o Options, r recipes.Recipe) ([]List, error) {
	p, err := New(withAnyEnvoy(o, r), r, Facts{})
	if err != nil {
		return nil, err
	}
	out := make([]List, 0, len(p.Images))
	for _, img := range p.Images {
		out = append(out, List{Image: img.Name, Variant: img.Variant, Repository: img.Repository, Tags: img.Tags, Shipped: img.Shipped})
	}
	return out, nil
}

// withAnyEnvoy names an Envoy for every platform upstream has none for:
// lists are named alike whatever Envoy a build would take, and export,
// mirror and verify never take one.
func withAnyEnvoy(o Options, r recipes.Recipe) Options {
	envoys := maps.Clone(o.Envoy)
	if envoys == nil {
		envoys = map[string]Envoy{}
	}
	for _, pl := range o.Platforms {
		if _, ok := envoys[platforms.Format(pl)]; !ok && !slices.Contains(r.Envoy.Arches, pl.Architecture) {
			envoys[platforms.Format(pl)] = Envoy{Kind: EnvoyImage, Ref: "none"}
		}
	}
	o.Envoy = envoys
	return o
}
