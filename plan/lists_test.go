package plan_test

import (
	"slices"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Upstream published no arm64 Envoy up to 1.14: a build needs --envoy for it,
// but naming the lists of such a build (verify, export, mirror) does not.
func TestListsNeedNoEnvoyForPlatformsUpstreamLacks(t *testing.T) {
	sel, err := recipes.Select("1.14.6")
	if err != nil {
		t.Fatal(err)
	}
	o := plan.Options{Version: "1.14.6", Hub: "registry.example.com/istio",
		Platforms: []ocispecs.Platform{platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")}}
	lists, err := plan.Lists(o, sel.Recipe)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range lists {
		for _, tag := range l.Tags {
			got = append(got, l.Repository+":"+tag)
		}
	}
	want := []string{"registry.example.com/istio/pilot:1.14.6", "registry.example.com/istio/pilot:1.14.6-debug",
		"registry.example.com/istio/proxyv2:1.14.6", "registry.example.com/istio/proxyv2:1.14.6-debug"}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("lists %v, want %v", got, want)
	}
	if o.Envoy != nil {
		t.Errorf("Lists changed the caller's Envoy map: %v", o.Envoy)
	}
}
