package run

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/moby/buildkit/client"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run/archive"
	"golang.org/x/sync/errgroup"
)

// Settings are how a plan is run, as opposed to what it builds.
type Settings struct {
	Dist string // where istioctl archives go; none written when empty
	Jobs int    // image solves at once
	// CompileJobs is how many go builds run at once per node, each with its
	// share of the node's CPUs (go build -p); fewer at once finish the
	// images' binaries first.
	CompileJobs int
	// CacheFrom and CacheTo are BuildKit cache imports and exports (e.g.
	// type=registry,ref=REPO:TAG), so a fresh builder reuses what a run built.
	CacheFrom, CacheTo []client.CacheOptionsEntry
	// ExportCache keeps the last export of each binary per node between
	// runs, so an unchanged one is not sent again; empty: none kept.
	ExportCache string
	Progress    Reporter // optional
	// BeforeTags runs once every list is written by digest and every
	// archive is in place, before the first tag moves: what must go up
	// with the lists but must not move a tag early (charts). Optional.
	BeforeTags func(ctx context.Context) error
}

// Result is what a run produced, for the summary.
type Result struct {
	Platforms []PlatformResult
	Published []*publish.Result
	Archives  []archive.File
	Phases    []Phase // in the order they ended
	// UpToDate says nothing ran: the registry held lists of the same inputs.
	UpToDate bool
	// Checked are the sha256 of every Envoy and wasm download (by URL) and
	// Envoy file (by staged path) as the run checked them.
	Checked map[string]string
}

// Phase is how long one part of the run took.
type Phase struct {
	Name    string
	Seconds float64
}

// phaseClock records phases that may end concurrently.
type phaseClock struct {
	mu     sync.Mutex
	phases []Phase
}

// timed runs fn as the phase name and records how long it took.
func (c *phaseClock) timed(name string, fn func() error) error {
	start := time.Now()
	err := fn()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.phases = append(c.phases, Phase{Name: name, Seconds: time.Since(start).Seconds()})
	return err
}

// Run executes p, a plan from Resolve, on solvers into sink: binaries are
// compiled on their nodes and checked, and every Envoy fetched and checked;
// each image platform is built on its node once its inputs are checked, and
// every manifest list prepared (checked and written by digest) while the
// other binaries compile and their archives are written; tags move last,
// so a failure anywhere before leaves every tag where it was.
// Run never changes p.
func Run(ctx context.Context, p plan.Plan, solvers Solvers, sink Sink, s Settings) (Result, error) {
	if s.Progress == nil {
		s.Progress = quiet{}
	}
	stage, err := os.MkdirTemp("", "istio-mab-run-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(stage)
	r := runner{p: p, solvers: solvers, sink: sink, s: s, stage: stage, compiled: newCompiledStates(), sums: newCheckedSums()}
	if err := os.MkdirAll(r.binDir(), 0o755); err != nil { // shared with every solve
		return Result{}, err
	}
	if r.archives, err = newArchiveStage(ctx, p, s, r.binDir()); err != nil {
		return Result{}, failure.Build(err)
	}
	defer r.archives.close()
	var res Result
	var clock phaseClock
	var prepared []*publish.Prepared
	if res.Platforms, prepared, err = r.buildAndPrepare(ctx, &clock); err != nil {
		return Result{}, err
	}
	if err := clock.timed("finish archives", func() (err error) { res.Archives, err = r.archives.publish(); return err }); err != nil {
		return Result{}, err
	}
	if s.BeforeTags != nil {
		if err := s.BeforeTags(ctx); err != nil {
			return Result{}, err
		}
	}
	err = clock.timed("move tags", func() (err error) {
		res.Published, err = publish.MoveAll(ctx, sink, prepared, s.Progress.Step)
		return err
	})
	res.Checked = r.sums.all()
	if f, ok := sink.(Finisher); ok && err == nil {
		err = clock.timed("finish the output", func() error { return f.Finish(ctx, res) })
	}
	res.Phases = clock.phases
	return res, err
}

// buildAndPrepare compiles every binary, one queue per node with the
// images' binaries first, and meanwhile builds the images once theirs are
// checked and writes their lists by digest, while the other istioctl
// targets compile.
func (r runner) buildAndPrepare(ctx context.Context, clock *phaseClock) ([]PlatformResult, []*publish.Prepared, error) {
	forImages, rest := imageBinaries(r.p)
	imageBins := newCountdown(len(forImages))
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		return clock.timed("compile binaries", func() error {
			return r.compileAll(gctx, append(forImages, rest...), func(i int) {
				if i < len(forImages) {
					imageBins.done()
				}
			})
		})
	})
	var built []PlatformResult
	var prepared []*publish.Prepared
	var prepareErr error // classified by the sink, not a build failure
	g.Go(func() error {
		err := clock.timed("compile and check image inputs", func() error { return r.checkImageInputs(gctx, imageBins) })
		if err != nil {
			return err
		}
		if err := clock.timed("build images", func() (err error) { built, err = r.buildImages(gctx); return err }); err != nil {
			return err
		}
		prepareErr = clock.timed("verify and write manifest lists", func() (err error) {
			prepared, err = publish.PrepareAll(gctx, r.sink, r.publishImages(built), r.s.Progress.Step)
			return err
		})
		return prepareErr
	})
	if err := g.Wait(); err != nil {
		if err == prepareErr { // the first error, not one the cancel caused
			return nil, nil, prepareErr
		}
		return nil, nil, failure.Build(err)
	}
	return built, prepared, nil
}

func (r runner) publishImages(built []PlatformResult) []publish.Image {
	images := make([]publish.Image, len(r.p.Images))
	for i, img := range r.p.Images {
		images[i] = publishImage(r.p, img, built)
	}
	return images
}

// runner carries one run's fixed inputs between its steps.
type runner struct {
	p       plan.Plan
	solvers Solvers
	sink    Sink
	s       Settings
	stage   string // binaries and Envoys as checked
	// archives are written as their istioctl is checked; nil without --dist
	archives *archiveStage
	compiled *compiledStates
	sums     *checkedSums // of the downloads and files checked
}

// checkImageInputs fetches and checks every Envoy and wasm filter, and
// waits for the images' binaries to be compiled and checked, so nothing
// wrong is ever pushed.
func (r runner) checkImageInputs(ctx context.Context, bins *countdown) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, pe := range envoys(r.p) {
		g.Go(func() error { return r.checkEnvoy(ctx, pe) })
	}
	for i, w := range downloads(r.p) {
		g.Go(func() error { return r.checkDownload(ctx, i, w) })
	}
	g.Go(func() error { return bins.wait(ctx) })
	return g.Wait()
}

// countdown is done once done was called n times.
type countdown struct {
	left atomic.Int64
	zero chan struct{}
}

func newCountdown(n int) *countdown {
	c := &countdown{zero: make(chan struct{})}
	if c.left.Store(int64(n)); n == 0 {
		close(c.zero)
	}
	return c
}

func (c *countdown) done() {
	if c.left.Add(-1) == 0 {
		close(c.zero)
	}
}

func (c *countdown) wait(ctx context.Context) error {
	select {
	case <-c.zero:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func commitTime(p plan.Plan) time.Time { return time.Unix(p.Facts.CommitTime, 0).UTC() }
