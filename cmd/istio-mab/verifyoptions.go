package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

// verifyOptions are the lists to check and how to reach their registries.
type verifyOptions struct {
	checks []publish.ListCheck
	access *registry.Access
}

var errNoTarget = errors.New("name what to verify: --version VERSION --hub REGISTRY/NAMESPACE, or image references, e.g. istio-mab verify registry.example.com/istio/pilot:1.22.0")

// verifyOptionsFrom validates the flags and arguments; every error is bad input (exit 2).
func verifyOptionsFrom(cmd *cobra.Command, refs []string) (verifyOptions, error) {
	o, err := parseVerify(cmd, refs)
	return o, failure.Usage(err)
}

func parseVerify(cmd *cobra.Command, refs []string) (verifyOptions, error) {
	fl := cmd.Flags()
	if err := applySettings(fl, flagNames(cmd.Root()), os.Environ()); err != nil {
		return verifyOptions{}, err
	}
	pls, err := parsePlatforms(fl)
	if err != nil {
		return verifyOptions{}, err
	}
	r, err := verifyRecipe(cmd, getString(fl, "version"))
	if err != nil {
		return verifyOptions{}, err
	}
	var o verifyOptions
	if o.access, err = parseAccess(fl, map[string]bool{}); err != nil {
		return o, err
	}
	switch {
	case len(refs) > 0 && getString(fl, "hub") != "":
		return o, errors.New("give image references or --hub, not both")
	case len(refs) > 0:
		o.checks, err = refChecks(refs, r, pls)
	case getString(fl, "version") == "" && getString(fl, "hub") == "":
		return o, errNoTarget
	default:
		o.checks, err = releaseChecks(cmd, r, pls)
	}
	return o, err
}

// verifyRecipe is the version's recipe, or the newest line's when only
// image references were given: it says which binaries each image ships.
func verifyRecipe(cmd *cobra.Command, version string) (recipes.Recipe, error) {
	if version == "" {
		all, err := recipes.Load()
		if err != nil {
			return recipes.Recipe{}, err
		}
		return all[len(all)-1], nil
	}
	sel, err := recipes.Select(version)
	if sel.Warning != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", sel.Warning)
	}
	return sel.Recipe, err
}

// refChecks names each image by its repository's last component.
func refChecks(refs []string, r recipes.Recipe, pls []ocispecs.Platform) ([]publish.ListCheck, error) {
	var out []publish.ListCheck
	for _, s := range refs {
		ref, err := name.ParseReference(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an image reference: use e.g. registry.example.com/istio/pilot:1.22.0", s)
		}
		repo := ref.Context().RepositoryStr()
		image := repo[strings.LastIndex(repo, "/")+1:]
		spec, ok := r.Images[image]
		if !ok {
			return nil, fmt.Errorf("%s: cannot tell which binaries it ships: its repository must end in one of %s", s, strings.Join(recipeImageNames(r), ", "))
		}
		out = append(out, publish.ListCheck{Ref: s, Platforms: pls, Binaries: recipes.Shipped(spec)})
	}
	return out, nil
}

// releaseChecks names every list a build with the same settings publishes:
// each image and variant at the tag upstream would use.
func releaseChecks(cmd *cobra.Command, r recipes.Recipe, pls []ocispecs.Platform) ([]publish.ListCheck, error) {
	fl := cmd.Flags()
	version := getString(fl, "version")
	if err := requireVersion(version); err != nil {
		return nil, err
	}
	hub, err := hubOption(cmd)
	if err != nil {
		return nil, err
	}
	tag := getString(fl, "tag")
	if tag == "" {
		tag = version
	}
	if err := checkTag(hub, tag); err != nil {
		return nil, err
	}
	images := items(fl, "images")
	if len(images) == 0 {
		images = recipes.DefaultImages(r)
	}
	var out []publish.ListCheck
	for _, image := range images {
		spec, ok := r.Images[image]
		if !ok {
			return nil, fmt.Errorf("--images %s: Istio %s has only %s", image, r.Line, strings.Join(recipeImageNames(r), ", "))
		}
		for _, variant := range items(fl, "variants") {
			if _, ok := spec.Bases[variant]; !ok {
				return nil, fmt.Errorf("--variants %s: image %s has only debug, distroless", variant, image)
			}
			out = append(out, publish.ListCheck{Ref: hub + "/" + image + ":" + variantTag(tag, variant), Platforms: pls, Binaries: recipes.Shipped(spec)})
		}
	}
	return out, nil
}

// variantTag is upstream's tag for a variant: the debug variant has the
// plain tag, the others a suffix.
func variantTag(tag, variant string) string {
	if variant == "debug" {
		return tag
	}
	return tag + "-" + variant
}

// shippedBinaries are where upstream's Dockerfiles install the image's
// binaries, and Envoy beside them.

func recipeImageNames(r recipes.Recipe) []string {
	var out []string
	for n := range r.Images {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
