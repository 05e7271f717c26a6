package istiomab

import (
	"context"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve"
)

// Plan resolves what Build would do and builds nothing. A directory source
// needs no BuildKit node: its compiles are planned on buildPlatform. A git
// source is read through the default node.
func Plan(ctx context.Context, req BuildRequest, buildPlatform ocispecs.Platform, opts ...Option) (plan.Plan, error) {
	p, err := planOf(ctx, req, buildPlatform, newSettings(opts))
	if err != nil {
		err = failure.WithMessage(err, plan.Scrub(err.Error(), plan.Secrets(req.Options.SecretURLs()...)))
	}
	return p, err
}

func planOf(ctx context.Context, req BuildRequest, buildPlatform ocispecs.Platform, s settings) (plan.Plan, error) {
	req.DryRun = true
	if req.Options.Source.Dir == "" {
		res, err := build(ctx, req, s)
		return res.Plan, err
	}
	r, _, err := precheck(ctx, req, s)
	if err != nil {
		return plan.Plan{}, err
	}
	rreq := resolve.Request{Options: req.Options, Recipe: r, Nodes: nodeRequests(req.Nodes)}
	p, err := resolve.ResolveLocal(ctx, rreq, buildPlatform)
	return p, failure.Usage(err)
}

// Lock resolves the build req would run (source commit, go.sum, Go image
// and base images through the node; Envoy and wasm downloads fetched from
// this host) and records each input by digest, for a build held to it.
func Lock(ctx context.Context, req BuildRequest, opts ...Option) (lock.Lock, error) {
	req.DryRun, req.Lock = true, nil
	res, err := build(ctx, req, newSettings(opts))
	if err == nil {
		var l lock.Lock
		l, err = lockOf(ctx, res.Plan, res.Line)
		if err == nil {
			return l, nil
		}
	}
	return lock.Lock{}, failure.WithMessage(err, plan.Scrub(err.Error(), plan.Secrets(req.Options.SecretURLs()...)))
}
