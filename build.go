package istiomab

import (
	"context"
	"os"
	"slices"
	"time"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run"
)

// BuildResult is what a build did.
type BuildResult struct {
	// Plan is the resolved plan; empty when the run stopped as up to date.
	Plan plan.Plan
	run.Result
	// Line is the recipe's release line, e.g. "1.22".
	Line string
	// Charts are the Helm charts pushed beside the lists and tagged.
	Charts []install.Pushed
}

// Build rebuilds a release: it checks the cheap things first (recipe,
// writable outputs, push credentials), connects every node, stops at once
// when every list is already published from the same inputs (unless
// Force), resolves the plan, holds it to the lock, runs it into the
// registry or a layout, and finishes the layout. Errors carry their exit
// code (docs/exit-codes.md); URL credentials are scrubbed from them.
func Build(ctx context.Context, req BuildRequest, opts ...Option) (BuildResult, error) {
	res, err := build(ctx, req, newSettings(opts))
	if err != nil {
		err = failure.WithMessage(classify(err), plan.Scrub(err.Error(), plan.Secrets(req.Options.SecretURLs()...)))
	}
	return res, err
}

func build(ctx context.Context, req BuildRequest, s settings) (BuildResult, error) {
	r, access, err := precheck(ctx, req, s)
	if err != nil {
		return BuildResult{}, err
	}
	prog, err := buildkit.NewProgress(ctx, s.progress, s.progressMode, plan.Secrets(req.Options.SecretURLs()...))
	if err != nil {
		return BuildResult{}, err
	}
	res, runErr := connectAndRun(ctx, req, r, access, prog, s)
	if err := prog.Close(); err != nil && runErr == nil {
		runErr = err
	}
	res.Line = r.Line
	return res, runErr
}

func connectAndRun(ctx context.Context, req BuildRequest, r recipes.Recipe, access registryAccess, prog *buildkit.Progress, s settings) (BuildResult, error) {
	nodes, closeAll, err := connect(ctx, req.Nodes, prog, s)
	if err != nil {
		return BuildResult{}, failure.Node(err)
	}
	defer closeAll()
	stage, err := os.MkdirTemp("", "istio-mab-stage-")
	if err != nil {
		return BuildResult{}, err
	}
	defer os.RemoveAll(stage)
	rreq := resolve.Request{Options: req.Options, Recipe: r, Nodes: nodeRequests(req.Nodes), Stage: stage}
	cur, done, err := upToDate(ctx, req, rreq, nodes, access)
	if err != nil {
		return BuildResult{}, err
	}
	var lists BuildResult // the lists already published, when only istioctl is missing
	if done {
		res, ok, err := current(ctx, req, cur, access, s)
		if err != nil || ok {
			return res, err
		}
		lists = res
	}
	// Decrypted only now: a run with nothing to build pays no scrypt.
	if req.Signer != nil && !req.DryRun {
		if err := req.Signer.Unlock(); err != nil {
			return BuildResult{}, failure.Usage(err)
		}
	}
	start := time.Now()
	p, err := resolve.Resolve(ctx, rreq, nodes.forResolve())
	for _, w := range p.Warnings { // where the source and the recipe disagree
		prog.Step("warning: " + w)(nil)
	}
	if err == nil && req.Locked != nil {
		p, err = lock.Apply(p, r.Line, *req.Locked)
	}
	if err != nil || req.DryRun {
		// Inputs that cannot be resolved (tag, base, node platform) are bad input.
		return BuildResult{Plan: p}, failure.Usage(err)
	}
	resolved := run.Phase{Name: "resolve", Seconds: time.Since(start).Seconds()}
	if lists.UpToDate {
		p = istioctlOnly(p)
	}
	sink, err := newSink(req, access, stage, p, r.Line)
	if err != nil {
		return BuildResult{Plan: p}, err
	}
	charts, err := installFor(ctx, req, nodes[p.Nodes[0].Address], p, stage, access, lists.UpToDate)
	if err != nil {
		return BuildResult{Plan: p}, err
	}
	res, err := run.Run(ctx, p, nodes.forRun(), sink, run.Settings{
		Dist: req.Dist, Jobs: req.Jobs, CompileJobs: req.CompileJobs, Progress: prog,
		CacheFrom: req.CacheFrom, CacheTo: req.CacheTo, ExportCache: s.exportCache,
		BeforeTags: func(ctx context.Context) error { return failure.Registry(charts.Write(access.Remote(ctx)...)) },
	})
	res.Phases = append([]run.Phase{resolved}, res.Phases...)
	var pushed []install.Pushed
	if err == nil && len(charts.Artefacts) > 0 {
		err = tagCharts(ctx, charts, access, res.Published)
		pushed = charts.Pushed()
	}
	if err == nil {
		if kerr := s.archives.keep(p.Inputs.Digest, res.Archives); kerr != nil { // the release is out; only a rerun pays
			s.warn("keeping the istioctl archives for an up-to-date rerun: " + kerr.Error())
		}
	}
	if lists.UpToDate {
		res.UpToDate, res.Published, p.Images = true, lists.Published, lists.Plan.Images
	}
	return BuildResult{Plan: p, Result: res, Charts: pushed}, err
}

// installFor readies the release's install: into the layout, or its
// charts to push beside the lists (none when only istioctl runs or
// nothing is pushed).
func installFor(ctx context.Context, req BuildRequest, node run.Solver, p plan.Plan, stage string, access registryAccess, listsUpToDate bool) (install.Charts, error) {
	switch {
	case req.Output.set():
		return install.Charts{}, writeInstall(ctx, node, p, req.Options.Tag, stage, req.Output.LayoutDir)
	case req.Options.Push && !listsUpToDate:
		return chartsToPush(ctx, node, p, stage, access)
	}
	return install.Charts{}, nil
}

// current is the result of a run whose lists are up to date: the lists as
// the registry holds them, and the archives from the archive cache. ok is
// false when the cache lacks an archive: then only istioctl is built.
func current(ctx context.Context, req BuildRequest, cur resolve.Current, access *registry.Access, s settings) (BuildResult, bool, error) {
	res := BuildResult{Plan: cur.Plan, Result: run.Result{UpToDate: true}}
	res.Plan.Binaries = nil // none compiled: the first run's metadata says which Go built them
	pub, err := publish.New(access)
	if err != nil {
		return res, false, err
	}
	for _, img := range cur.Plan.Images {
		d, err := pub.Describe(ctx, img.Repository, img.Tags)
		if err != nil {
			return res, false, failure.Registry(err)
		}
		res.Published = append(res.Published, d)
	}
	var ok bool
	res.Archives, ok, err = s.archives.restore(cur.Inputs, req.Dist, cur.Plan)
	return res, ok, err
}

// istioctlOnly is p without its images: their lists are up to date.
func istioctlOnly(p plan.Plan) plan.Plan {
	p.Images = nil
	p.Binaries = slices.DeleteFunc(slices.Clone(p.Binaries), func(b plan.Binary) bool { return b.Name != "istioctl" })
	return p
}

func nodeRequests(nodes []Node) []resolve.NodeRequest {
	out := make([]resolve.NodeRequest, len(nodes))
	for i, n := range nodes {
		out[i] = resolve.NodeRequest{Address: n.Address, For: n.For}
	}
	return out
}

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
	req.DryRun, req.Locked = true, nil
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
