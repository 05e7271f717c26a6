package istiomab

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"

	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run"
)

// chartsPath is where an Istio tree holds its Helm charts.
const chartsPath = "manifests/charts"

// writeInstall puts the release's install into the layout at dir: its
// charts (releaseCharts), the images they render and the overrides, all
// for p's hub and tag (default: the version).
func writeInstall(ctx context.Context, node run.Solver, p plan.Plan, tag, stage, dir string) error {
	charts, err := releaseCharts(ctx, node, p, stage)
	if err != nil || len(charts) == 0 {
		return err
	}
	if tag == "" {
		tag = p.Version
	}
	return install.Write(dir, charts, p.Hub, tag)
}

// chartsToPush are the release's charts bound for p's hub/charts, once
// push access to each repository is checked; Write them before the lists'
// tags move and Tag them after, as upstream publishes its charts beside
// its images. A tree without charts has none.
func chartsToPush(ctx context.Context, node run.Solver, p plan.Plan, stage string, access registryAccess) (install.Charts, error) {
	charts, err := releaseCharts(ctx, node, p, stage)
	if err != nil || len(charts) == 0 {
		return install.Charts{}, err
	}
	c, err := install.ForHub(access.Repository, p.Hub, charts)
	if err != nil {
		return c, err
	}
	for _, repo := range c.Repositories() {
		if err := access.CheckPush(ctx, repo); err != nil {
			return c, failure.Registry(err)
		}
	}
	return c, nil
}

// tagCharts moves the charts' tags after the lists': a failure here leaves
// the lists tagged, which the error names.
func tagCharts(ctx context.Context, c install.Charts, access registryAccess, lists []*publish.Result) error {
	if err := c.Tag(access.Remote(ctx)...); err != nil {
		return publish.TagFailure(err, lists)
	}
	return nil
}

// releaseCharts packages the Shipped charts of the source tree at the
// resolved commit (a git source through node, the node that read its
// facts), at the release's version. A tree without charts (istio-mab's
// test trees but 1.22.0) has none.
func releaseCharts(ctx context.Context, node run.Solver, p plan.Plan, stage string) ([]install.Chart, error) {
	root, err := chartsTree(ctx, node, p, stage)
	if err != nil {
		return nil, err
	}
	return install.PackageAll(root, p.Version, time.Unix(p.Facts.CommitTime, 0).UTC())
}

// chartsTree is the directory holding the source's manifests/charts: a
// directory source's own, or a git source's exported from the node.
func chartsTree(ctx context.Context, node run.Solver, p plan.Plan, stage string) (string, error) {
	if p.Source.Dir != "" {
		return filepath.Join(p.Source.Dir, filepath.FromSlash(chartsPath)), nil
	}
	// The tree filtered to the charts, rather than a copy of their
	// directory: a tree without charts gives an empty result, not a failure.
	st := llb.Scratch().File(llb.Copy(source.State(p.Source, p.Facts.Commit), "/", "/",
		&llb.CopyInfo{CopyDirContentsOnly: true, IncludePatterns: []string{chartsPath}}))
	def, err := st.Marshal(ctx)
	if err != nil {
		return "", err
	}
	out, err := os.MkdirTemp(stage, "charts-")
	if err != nil {
		return "", err
	}
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}}}
	if _, err := node.Solve(ctx, def, opt, nil); err != nil {
		return "", fmt.Errorf("reading %s of Istio %s: %w", chartsPath, p.Version, err)
	}
	return filepath.Join(out, filepath.FromSlash(chartsPath)), nil
}
