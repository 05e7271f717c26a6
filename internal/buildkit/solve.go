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
	opt, err := withSession(opt, locals)
	if err != nil {
		return nil, err
	}
	ch, tap := tapManifest(c.prog.channel())
	resp, err := c.c.Solve(ctx, def, opt, ch)
	if err != nil {
		return nil, c.diskFull(tap, c.lost(ctx, tap.during(), tap.explain(err)))
	}
	return resp.ExporterResponse, nil
}

// withSession gives opt the session's attachables and shares locals.
func withSession(opt client.SolveOpt, locals map[string]string) (client.SolveOpt, error) {
	opt.Session = append(opt.Session, attachables()...)
	var err error
	opt.LocalMounts, err = localMounts(locals)
	return opt, err
}

// localMounts shares host directories with the daemon by LLB local name.
func localMounts(locals map[string]string) (map[string]fsutil.FS, error) {
	out := map[string]fsutil.FS{}
	for name, dir := range locals {
		fs, err := fsutil.NewFS(dir)
		if err != nil {
			return nil, fmt.Errorf("sharing %s with BuildKit: %w", dir, err)
		}
		out[name] = fs
	}
	return out, nil
}
