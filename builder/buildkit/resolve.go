package buildkit

import (
	"context"
	"fmt"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// ImageRef is an image the daemon will pull, for one platform.
type ImageRef struct {
	Ref      string
	Platform ocispecs.Platform
}

// Pin resolves each image through the daemon, as its builds will, and
// returns it as REF@DIGEST: a base or builder image the daemon cannot
// reach or trust fails here in one line, before anything is built, and a
// tag that moves during the run cannot change what is built.
func (c *Client) Pin(ctx context.Context, refs []ImageRef, p *Progress) ([]string, error) {
	out := make([]string, len(refs))
	var pinErr error
	_, err := c.c.Build(ctx, client.SolveOpt{Session: attachables()}, "istio-mab", func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		for i, r := range refs {
			opt := sourceresolver.Opt{ImageOpt: &sourceresolver.ResolveImageOpt{Platform: &r.Platform, ResolveMode: "pull"}}
			_, dgst, _, err := gw.ResolveImageConfig(ctx, r.Ref, opt)
			if err != nil {
				pinErr = fmt.Errorf("resolving %s for %s: %v: check that the BuildKit daemon can reach and trust its registry (buildkitd.toml [registry.\"HOST\"])",
					r.Ref, platforms.Format(r.Platform), rootCause(err))
				return nil, pinErr
			}
			out[i] = r.Ref + "@" + dgst.String()
		}
		return nil, nil
	}, p.channel())
	if pinErr != nil {
		return nil, pinErr
	}
	return out, err
}
