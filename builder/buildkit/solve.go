package buildkit

import (
	"context"
	"fmt"

	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/tonistiigi/fsutil"
)

// Solve runs one solve: def for plain LLB, or nil with opt.Frontend set.
// It returns the exporter response.
func (c *Client) Solve(ctx context.Context, def *llb.Definition, opt client.SolveOpt, src plan.Source, p *Progress) (map[string]string, error) {
	opt.Session = append(opt.Session, attachables()...)
	if src.Dir != "" {
		fs, err := fsutil.NewFS(src.Dir)
		if err != nil {
			return nil, fmt.Errorf("opening source directory %s: %w", src.Dir, err)
		}
		opt.LocalMounts = map[string]fsutil.FS{source.LocalName: fs}
	}
	resp, err := c.c.Solve(ctx, def, opt, p.channel())
	if err != nil {
		return nil, err
	}
	return resp.ExporterResponse, nil
}
