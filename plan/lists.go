package plan

import "github.com/istio-mab/istio-mab/recipes"

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
