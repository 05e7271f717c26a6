package buildkit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// ImageRef is an image the node will pull, for one platform.
type ImageRef struct {
	Ref      string
	Platform ocispecs.Platform
}

// Pinned is an image as the node resolved it.
type Pinned struct {
	Ref      string            // REF@DIGEST
	Platform ocispecs.Platform // what its config says it runs on
	Env      []string          // its config's environment, e.g. GOLANG_VERSION=1.22.7
}

// Pin resolves each image through the node, as its builds will, and returns
// it pinned by digest: a base or builder image the node cannot reach or
// trust fails here in one line, before anything is built, and a tag that
// moves during the run cannot change what is built.
func (c *Client) Pin(ctx context.Context, refs []ImageRef) ([]Pinned, error) {
	out := make([]Pinned, len(refs))
	err := c.build(ctx, func(ctx context.Context, gw gateway.Client) error {
		for i, r := range refs {
			opt := sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &r.Platform, ResolveMode: "pull"}}
			_, dgst, cfg, err := gw.ResolveImageConfig(ctx, r.Ref, opt)
			if err != nil {
				return fmt.Errorf("resolving %s for %s on BuildKit node %s: %v: check that the node can reach and trust its registry (buildkitd.toml [registry.\"HOST\"])",
					r.Ref, platforms.Format(r.Platform), c.addr, rootCause(err))
			}
			var img ocispecs.Image
			if err := json.Unmarshal(cfg, &img); err != nil {
				return fmt.Errorf("reading the config of %s: %w", r.Ref, err)
			}
			out[i] = Pinned{Ref: r.Ref + "@" + dgst.String(), Platform: img.Platform, Env: img.Config.Env}
		}
		return nil
	})
	return out, err
}
