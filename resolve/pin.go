package resolve

import (
	"context"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// pinImages resolves, on each node, every image that node will pull for its
// image platforms (redirected bases, image-supplied Envoys), so a base the
// node cannot reach or trust fails before anything is built; Envoy images
// are pinned by digest, so the Envoy checked is the Envoy shipped. The Go
// images were pinned per node when the nodes were found.
func pinImages(ctx context.Context, p plan.Plan, solvers Nodes) (plan.Plan, error) {
	out := p.Clone()
	out.Inputs.Pins = goImagePins(p.Nodes, p.GoImage)
	byNode := imageRefs(p)
	pinned := make(map[string]map[string]string, len(byNode))
	var g errgroup.Group
	for _, node := range slices.Sorted(maps.Keys(byNode)) {
		refs := byNode[node]
		pinned[node] = map[string]string{}
		m := pinned[node]
		g.Go(func() error {
			got, err := solvers[node].Pin(ctx, refs)
			for i, r := range got {
				m[refKey(refs[i].Ref, refs[i].Platform)] = r.Ref
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return plan.Plan{}, plan.ExplainPinError(p, err)
	}
	for _, m := range pinned {
		for k, ref := range m {
			_, dgst, _ := strings.Cut(ref, "@")
			out.Inputs.Pins[k] = dgst
		}
	}
	for i := range out.Images {
		for j := range out.Images[i].Platforms {
			ip := &out.Images[i].Platforms[j]
			ip.Bases = pinnedBases(out.Images[i], pinned[ip.Node], ip.Platform)
			if ip.Envoy != nil && ip.Envoy.Kind == plan.EnvoyImage {
				ip.Envoy.Supplied = ip.Envoy.Ref
				ip.Envoy.Ref = pinned[ip.Node][refKey(ip.Envoy.Ref, ip.Platform)]
			}
		}
	}
	return out, nil
}

// goImagePins are the Go images each node pinned for its native platform.
func goImagePins(nodes []plan.Node, goImage string) map[string]string {
	pins := map[string]string{}
	for _, n := range nodes {
		if _, dgst, ok := strings.Cut(n.GoImage, "@"); ok {
			pins[refKey(goImage, n.Native())] = dgst
		}
	}
	return pins
}

// pinnedBases are the bases the image's build pulls for pl as named
// contexts by digest, as the node resolved them: a moving tag cannot
// change the build.
func pinnedBases(img plan.Image, pinned map[string]string, pl ocispecs.Platform) map[string]string {
	out := map[string]string{}
	for _, base := range img.BaseRefs {
		ref := base
		if to, ok := img.NamedContexts[base]; ok {
			ref = strings.TrimPrefix(to, "docker-image://")
		}
		if strings.Contains(ref, "@") {
			out[base] = "docker-image://" + ref // pinned by the recipe or the Dockerfile already
		} else if p := pinned[refKey(ref, pl)]; p != "" {
			out[base] = "docker-image://" + p
		}
	}
	return out
}

func refKey(ref string, pl ocispecs.Platform) string { return ref + " " + platforms.Format(pl) }

// imageRefs lists, per node, each (image, platform) it pulls once, in plan order.
func imageRefs(p plan.Plan) map[string][]buildkit.ImageRef {
	out := map[string][]buildkit.ImageRef{}
	seen := map[string]bool{}
	add := func(node, ref string, pl ocispecs.Platform) {
		if k := node + " " + refKey(ref, pl); !seen[k] {
			seen[k] = true
			out[node] = append(out[node], buildkit.ImageRef{Ref: ref, Platform: pl})
		}
	}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			for _, base := range img.BaseRefs {
				if to, ok := img.NamedContexts[base]; ok {
					base = strings.TrimPrefix(to, "docker-image://")
				}
				add(ip.Node, base, ip.Platform)
			}
			if ip.Envoy != nil && ip.Envoy.Kind == plan.EnvoyImage {
				add(ip.Node, ip.Envoy.Ref, ip.Platform)
			}
			if p.Attest.SBOM { // the scanner runs on the node's own platform
				add(ip.Node, p.Attest.SBOMGenerator, nativeOf(p, ip.Node))
			}
		}
	}
	return out
}

// nativeOf is the native platform of the node at address.
func nativeOf(p plan.Plan, address string) ocispecs.Platform {
	for _, n := range p.Nodes {
		if n.Address == address {
			return n.Native()
		}
	}
	return p.BuildPlatform
}
