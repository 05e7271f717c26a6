package main

import (
	"fmt"
	"github.com/istio-mab/istio-mab/report"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/spf13/cobra"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
)

// registerListFlags name a release's lists in a registry, as build names
// what it publishes.
func registerListFlags(cmd *cobra.Command, variants string) {
	fl := cmd.Flags()
	fl.String("version", "", "Istio release, as tagged upstream (e.g. 1.22.0)")
	fl.String("tag", "", "tag of the lists (default: the version)")
	fl.String("variants", variants, "comma-separated variants: debug (tags V and V-debug), distroless (V-distroless)")
	registerRegistryFlags(fl)
}

// releaseIn is the release's lists under hub: repositories and tags as
// build publishes them, and the binaries each recipe image holds; images
// no recipe builds (install-cni, ...) are copied without a binary check.
func releaseIn(v flagView, hub string, images []string) (carry.Release, recipes.Recipe, error) {
	version := v.GetString("version")
	if err := requireVersion(version); err != nil {
		return carry.Release{}, recipes.Recipe{}, err
	}
	sel, err := recipes.Select(version)
	if err != nil {
		return carry.Release{}, recipes.Recipe{}, err
	}
	var built, other []string
	for _, name := range images {
		if _, ok := sel.Recipe.Images[name]; ok {
			built = append(built, name)
		} else {
			other = append(other, name)
		}
	}
	o := plan.Options{
		Version: version, Hub: hub, Tag: v.GetString("tag"), Images: built,
		Variants: unique(splitAll(v.GetStringSlice("variants"))), Platforms: defaultPlatforms(),
	}
	r := carry.Release{Version: version, Hub: hub}
	if len(built) > 0 {
		lists, err := plan.Lists(o, sel.Recipe)
		if err != nil {
			return r, sel.Recipe, err
		}
		for _, l := range lists {
			r.Images = append(r.Images, publish.Image{Repository: l.Repository, Tags: l.Tags, Binaries: l.Shipped})
		}
	}
	tag := o.Tag
	if tag == "" {
		tag = version
	}
	for _, name := range other {
		for _, variant := range o.Variants {
			r.Images = append(r.Images, publish.Image{Repository: hub + "/" + name, Tags: plan.Tags(tag, variant)})
		}
	}
	return r, sel.Recipe, nil
}

func defaultPlatforms() []ocispecs.Platform {
	out := make([]ocispecs.Platform, len(supportedPlatforms))
	for i, s := range supportedPlatforms {
		out[i] = platforms.MustParse(s)
	}
	return out
}

// printCopy reports a copy: each list, then what was written.
func printCopy(cmd *cobra.Command, res []*publish.Result, st carry.Stats) {
	report.PrintLists(cmd.OutOrStdout(), res)
	fmt.Fprintf(cmd.OutOrStdout(), "\n%d lists copied, %d already present\n", st.Copied, st.Present)
}
