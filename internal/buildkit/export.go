package buildkit

import (
	"context"
	"os"
	"path/filepath"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
)

// ExportUnlessKept solves def and exports its result, as opt's one local
// export says, unless the export directory already holds file with the
// same size and nanosecond mtime as the result's: the file a cached result
// exported there before (BuildKit's own export always sends every file).
// It says whether the file was sent, and calls solved once def is solved,
// before the export.
func (c *Client) ExportUnlessKept(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string, file string, solved func()) (sent bool, err error) {
	kept, _ := os.Stat(filepath.Join(opt.Exports[0].OutputDir, file)) // none: send
	if opt, err = withSession(opt, locals); err != nil {
		return false, err
	}
	if opt.FrontendAttrs == nil {
		opt.FrontendAttrs = map[string]string{} // Build adds the cache imports to them
	}
	ch, tap := tapManifest(c.prog.channel())
	_, err = c.c.Build(ctx, opt, "istio-mab", func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		res, err := gw.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB(), CacheImports: gatewayCacheImports(opt)})
		if err != nil {
			return nil, err
		}
		ref, err := res.SingleRef()
		if err != nil {
			return nil, err
		}
		st, err := ref.StatFile(ctx, gateway.StatRequest{Path: file})
		if err != nil {
			return nil, err
		}
		solved()
		if sent = kept == nil || st.Size != kept.Size() || st.ModTime != kept.ModTime().UnixNano(); !sent {
			return gateway.NewResult(), nil // an empty export leaves the directory as it is
		}
		return res, nil
	}, ch)
	if err != nil {
		return false, c.diskFull(tap, c.lost(ctx, tap.during(), tap.explain(err)))
	}
	return sent, nil
}

// gatewayCacheImports are opt's cache imports, which a solve inside Build
// uses only when it names them itself.
func gatewayCacheImports(opt client.SolveOpt) []gateway.CacheOptionsEntry {
	var out []gateway.CacheOptionsEntry
	for _, e := range opt.CacheImports {
		out = append(out, gateway.CacheOptionsEntry{Type: e.Type, Attrs: e.Attrs})
	}
	return out
}
