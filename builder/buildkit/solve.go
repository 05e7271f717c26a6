package buildkit

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/tonistiigi/fsutil"
)

// Solve runs one solve: def for plain LLB, or nil with opt.Frontend set.
// locals are the host directories the session shares, by LLB local name.
// It returns the exporter response.
func (c *Client) Solve(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string) (map[string]string, error) {
	opt.Session = append(opt.Session, attachables()...)
	opt.LocalMounts = map[string]fsutil.FS{}
	for name, dir := range locals {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("sharing %s with BuildKit: %w", dir, err)
		}
		opt.LocalMounts[name] = fs
	}
	ch, tap := tapManifest(c.prog.channel())
	resp, err := c.c.Solve(ctx, def, opt, ch)
	if err != nil {
		return nil, tap.explain(err)
	}
	return resp.ExporterResponse, nil
}
