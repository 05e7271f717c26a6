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
	// Names and tags do not depend on where Envoy comes from: a platform
	// upstream published no Envoy for (arm64 up to 1.14) needs no --envoy
	// to name its lists, so verify, export and mirror take none.
	o.Envoy = maps.Clone(o.Envoy)
	if o.Envoy == nil {
		o.Envoy = map[string]Envoy{}
	}
	for _, pl := range o.Platforms {
		key := platforms.Format(pl)
		if _, ok := o.Envoy[key]; !ok && !slices.Contains(r.Envoy.Arches, pl.Architecture) {
			o.Envoy[key] = Envoy{Kind: EnvoyURL, Ref: "unresolved: naming lists only"}
		}
	}
	p, err := New(o, r, Facts{})
	if err != nil {
		return nil, err
	}
	out := make([]List, 0, len(p.Images))
	for _, img := range p.Images {
		out = append(out, List{Image: img.Name, Variant: img.Variant, Repository: img.Repository, Tags: img.Tags, Shipped: img.Shipped})
	}
	return out, nil
}
