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
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run"
)

// chartsPath is where an Istio tree holds its Helm charts.
const chartsPath = "manifests/charts"

// writeInstall puts the release's install into the layout at dir: its
// charts, read from the source tree at the resolved commit (a git source
// through node, the node that read its facts), the images they render and
// the overrides, all for p's hub and tag (default: the version). A tree
// without charts (istio-mab's test trees but 1.22.0) gets no install.
func writeInstall(ctx context.Context, node run.Solver, p plan.Plan, tag, stage, dir string) error {
	root, err := chartsTree(ctx, node, p, stage)
	if err != nil {
		return err
	}
	charts, err := install.PackageAll(root, p.Version, time.Unix(p.Facts.CommitTime, 0).UTC())
	if err != nil || len(charts) == 0 {
		return err
	}
	if tag == "" {
		tag = p.Version
	}
	return install.Write(dir, charts, p.Hub, tag)
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
