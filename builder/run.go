package builder

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/publish"
	"github.com/istio-mab/istio-mab/builder/registry"
	"golang.org/x/sync/errgroup"
)

// Settings are how a plan is run, as opposed to what it builds.
type Settings struct {
	Dist     string // where istioctl archives go
	Jobs     int    // solves at once
	Access   *registry.Access
	Insecure map[string]bool // registry hosts reached over plain HTTP
	Progress *buildkit.Progress
}

// Result is what a run produced, for the summary.
type Result struct {
	Platforms []PlatformResult
	Published []*publish.Result
	Archives  []ArchiveResult
}

// Run executes p: first the binaries are compiled and every Envoy fetched,
// and each is checked; then the image platforms are built concurrently
// (BuildKit reuses the compile and fetch results), then published.
func Run(ctx context.Context, c *buildkit.Client, p plan.Plan, s Settings) (Result, error) {
	stage, err := os.MkdirTemp("", "istio-mab-bin-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(stage)

	if p, err = stageEnvoyFiles(p, stage); err != nil {
		return Result{}, err
	}
	if p, err = pinImages(ctx, c, p, s.Progress); err != nil {
		return Result{}, err
	}
	if err := checkInputs(ctx, c, p, s, stage); err != nil {
		return Result{}, err
	}
	var res Result
	if res.Platforms, err = buildImages(ctx, c, p, s, stage); err != nil {
		return Result{}, err
	}
	if p.Push {
		if res.Published, err = publishImages(ctx, p, s, res.Platforms); err != nil {
			return Result{}, err
		}
	}
	res.Archives, err = writeArchives(ctx, p, s.Progress, s.Dist, stage)
	return res, err
}

// checkInputs compiles the binaries and fetches the Envoys concurrently and
// checks each before any image is built, so nothing wrong is ever pushed.
func checkInputs(ctx context.Context, c *buildkit.Client, p plan.Plan, s Settings, stage string) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error { return compileAndCheck(ctx, c, p, s, stage) })
	for _, pe := range envoys(p) {
		g.Go(func() error { return checkEnvoy(ctx, c, p, s, pe, stage) })
	}
	return g.Wait()
}

func publishImages(ctx context.Context, p plan.Plan, s Settings, built []PlatformResult) ([]*publish.Result, error) {
	pub, err := publish.New(s.Access)
	if err != nil {
		return nil, err
	}
	// Every list is verified and pushed by digest before any tag moves.
	prepared := make([]*publish.Prepared, len(p.Images))
	for i, img := range p.Images {
		done := s.Progress.Step(fmt.Sprintf("verify and push manifest list %s (%s)", img.Repository, img.Variant))
		prepared[i], err = pub.Prepare(ctx, publishImage(img, built))
		if done(err); err != nil {
			return nil, err
		}
	}
	results := make([]*publish.Result, len(prepared))
	for i, pr := range prepared {
		done := s.Progress.Step(fmt.Sprintf("tag %s:%s", pr.Repository, strings.Join(pr.Tags, ",")))
		results[i], err = pub.MoveTags(ctx, pr)
		if done(err); err != nil {
			return nil, err
		}
	}
	return results, nil
}

func commitTime(p plan.Plan) time.Time { return time.Unix(p.Facts.CommitTime, 0).UTC() }
