package istiomab

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run"
)

// nodeSet are the connected nodes by address.
type nodeSet map[string]node

func (n nodeSet) forResolve() resolve.Nodes {
	out := resolve.Nodes{}
	for a, c := range n {
		out[a] = c
	}
	return out
}

func (n nodeSet) forRun() run.Solvers {
	out := run.Solvers{}
	for a, c := range n {
		out[a] = c
	}
	return out
}

// connect dials every node at once; one that does not answer fails the run,
// named, before anything is built.
func connect(ctx context.Context, nodes []Node, prog *buildkit.Progress, s settings) (nodeSet, func(), error) {
	if s.solvers != nil {
		return s.solvers, func() {}, nil
	}
	clients := make([]*buildkit.Client, len(nodes))
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range nodes {
		g.Go(func() (err error) {
			clients[i], err = buildkit.Connect(gctx, n.Address, n.TLS, prog)
			return err
		})
	}
	err := g.Wait()
	closeAll := func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	out := nodeSet{}
	for _, c := range clients {
		out[c.Address()] = c
	}
	return out, closeAll, nil
}

// upToDate skips a rebuild whose lists are already published from the same
// inputs: it reads the tag's commit, the lists' annotations and the pulled
// images' digests, and solves nothing.
func upToDate(ctx context.Context, req BuildRequest, rreq resolve.Request, nodes nodeSet, access *registry.Access) (resolve.Current, bool, error) {
	if !req.Options.Push || req.Force || req.DryRun {
		return resolve.Current{}, false, nil
	}
	pub, err := publish.New(access)
	if err != nil {
		return resolve.Current{}, false, err
	}
	return resolve.UpToDate(ctx, rreq, nodes[req.Nodes[0].Address], pub)
}

// newSink is the registry, an OCI layout (Output) that finishes itself
// with the lock of p, or with Push false a local check.
func newSink(req BuildRequest, access *registry.Access, stage string, p plan.Plan, line string) (run.Sink, error) {
	if req.Output.set() {
		l, err := publish.NewLayout(req.Output.LayoutDir, stage+"/oci", req.Options.Hub)
		if err != nil {
			return nil, err
		}
		if req.Signer != nil {
			l.SignWith(req.Signer)
		}
		return layoutSink{Layout: l, out: req.Output, p: p, line: line}, nil
	}
	if !req.Options.Push {
		return publish.NewLocal(stage + "/oci"), nil
	}
	pub, err := publish.New(access)
	if err == nil && req.Signer != nil {
		pub.SignWith(req.Signer)
	}
	return pub, err
}
