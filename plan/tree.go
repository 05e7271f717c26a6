package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/istio-mab/istio-mab/recipes"
)

// Tree is what the source tree states about its own build, where upstream
// states it in one line (Makefile.core.mk, bin/init.sh,
// common/scripts/report_build_info.sh); an empty field was not found.
type Tree struct {
	// Tags maps a Makefile variable (AGENT_TAGS, STANDARD_TAGS) to its tags.
	Tags           map[string][]string `json:"tags,omitempty"`
	BaseRegistry   string              `json:"baseRegistry,omitempty"`   // ISTIO_BASE_REGISTRY ?=
	EnvoyBaseURL   string              `json:"envoyBaseURL,omitempty"`   // ISTIO_ENVOY_BASE_URL's default
	VersionPackage string              `json:"versionPackage,omitempty"` // the package of buildVersion
}

// FromTree is r with what the tree states in its place, so a tree newer
// than every recipe builds as it says; each disagreement is a warning.
func FromTree(r recipes.Recipe, t Tree) (recipes.Recipe, []string) {
	var warnings []string
	differs := func(what, tree, recipe string) bool {
		if tree == "" || tree == recipe {
			return false
		}
		warnings = append(warnings, fmt.Sprintf("the source says %s is %s where the %s recipe says %s: building what the source says", what, tree, r.Line, recipe))
		return true
	}
	original := r.Binaries
	r.Binaries = maps.Clone(r.Binaries)
	for _, v := range slices.Sorted(maps.Keys(t.Tags)) {
		var names []string
		for _, name := range slices.Sorted(maps.Keys(r.Binaries)) {
			if b := r.Binaries[name]; b.TagsVar == v && !slices.Equal(b.Tags, t.Tags[v]) {
				b.Tags = t.Tags[v]
				r.Binaries[name], names = b, append(names, name)
			}
		}
		if len(names) > 0 {
			differs(v+" (for "+strings.Join(names, ", ")+")", strings.Join(t.Tags[v], ","), strings.Join(original[names[0]].Tags, ","))
		}
	}
	if differs("ISTIO_BASE_REGISTRY", t.BaseRegistry, r.BaseRegistry) {
		r.BaseRegistry = t.BaseRegistry
		if _, ok := r.BuildArgs["ISTIO_BASE_REGISTRY"]; ok {
			r.BuildArgs = maps.Clone(r.BuildArgs)
			r.BuildArgs["ISTIO_BASE_REGISTRY"] = t.BaseRegistry
		}
	}
	if differs("the Envoy base URL", t.EnvoyBaseURL, r.Envoy.BaseURL) {
		r.Envoy.BaseURL = t.EnvoyBaseURL
	}
	if differs("the version package", t.VersionPackage, r.VersionPackage) {
		r.VersionPackage = t.VersionPackage
	}
	return r, warnings
}
