package builder

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// pinImages resolves every image the run pulls (Go builder, redirected
// bases, image-supplied Envoys) through the daemon before anything is
// built, and pins the Go builder and Envoy images to what was resolved, so
// the Envoy that is checked is the Envoy that ships.
func pinImages(ctx context.Context, c *buildkit.Client, p plan.Plan, prog *buildkit.Progress) (plan.Plan, error) {
	refs, index := imageRefs(p)
	pinned, err := c.Pin(ctx, refs, prog)
	if err != nil {
		return p, plan.ExplainPinError(p, err)
	}
	p.GoImage = pinned[index[refKey(p.GoImage, p.BuildPlatform)]]
	for i := range p.Images {
		ips := append([]plan.ImagePlatform(nil), p.Images[i].Platforms...)
		for j, ip := range ips {
			if ip.Envoy != nil && ip.Envoy.Kind == plan.EnvoyImage {
				e := *ip.Envoy
				e.Supplied = e.Ref
				e.Ref = pinned[index[refKey(e.Ref, ip.Platform)]]
				ips[j].Envoy = &e
			}
		}
		p.Images[i].Platforms = ips
	}
	return p, nil
}

func refKey(ref string, pl ocispecs.Platform) string { return ref + " " + platforms.Format(pl) }

// imageRefs lists each (image, platform) once, with its index by refKey.
func imageRefs(p plan.Plan) ([]buildkit.ImageRef, map[string]int) {
	var refs []buildkit.ImageRef
	index := map[string]int{}
	add := func(ref string, ip plan.ImagePlatform) {
		k := refKey(ref, ip.Platform)
		if _, ok := index[k]; !ok {
			index[k] = len(refs)
			refs = append(refs, buildkit.ImageRef{Ref: ref, Platform: ip.Platform})
		}
	}
	add(p.GoImage, plan.ImagePlatform{Platform: p.BuildPlatform})
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			for _, k := range slices.Sorted(maps.Keys(img.NamedContexts)) {
				add(strings.TrimPrefix(img.NamedContexts[k], "docker-image://"), ip)
			}
			if ip.Envoy != nil && ip.Envoy.Kind == plan.EnvoyImage {
				add(ip.Envoy.Ref, ip)
			}
		}
	}
	return refs, index
}
