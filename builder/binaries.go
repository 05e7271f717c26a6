package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/builder/archive"
	"github.com/istio-mab/istio-mab/builder/compile"
	"github.com/istio-mab/istio-mab/builder/exe"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/moby/buildkit/client"
)

// binDir holds every checked binary, laid out as compile.All lays them out;
// images and archives take their binaries from here.
func (r runner) binDir() string { return filepath.Join(r.stage, "bin") }

// compileNodes are the nodes that compile something, in plan order.
func compileNodes(p plan.Plan) []string {
	var out []string
	for _, b := range p.Binaries {
		if !slices.Contains(out, b.Node) {
			out = append(out, b.Node)
		}
	}
	return out
}

// compileAndCheck compiles node's binaries in one solve, exports them to the
// client and checks each is an executable for its platform.
func (r runner) compileAndCheck(ctx context.Context, node string) error {
	var bins []plan.Binary
	for _, b := range r.p.Binaries {
		if b.Node == node {
			bins = append(bins, b)
		}
	}
	def, err := compile.All(r.p, bins, source.State(r.p.Source, r.p.Facts.Commit)).Marshal(ctx)
	if err != nil {
		return err
	}
	// Each node exports into its own directory: a local export replaces
	// the directory's content.
	out, err := os.MkdirTemp(r.stage, "compiled-")
	if err != nil {
		return err
	}
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}}}
	if _, err := r.solvers[node].Solve(ctx, def, opt, locals(r.p)); err != nil {
		return fmt.Errorf("compiling on %s: %w", node, err)
	}
	done := r.s.Progress.Step(fmt.Sprintf("check %d binaries compiled on %s are built for their platforms", len(bins), node))
	err = r.checkBinaries(out, bins)
	done(err)
	return err
}

func (r runner) checkBinaries(dir string, bins []plan.Binary) error {
	for _, b := range bins {
		path := filepath.Join(r.binDir(), compile.Path(b))
		if err := moveFile(filepath.Join(dir, compile.Path(b)), path); err != nil {
			return err
		}
		if err := exe.CheckFile(path, b.Platform); err != nil {
			return fmt.Errorf("checking %s for %s: %w", b.Name, platforms.Format(b.Platform), err)
		}
	}
	return nil
}

func moveFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.Rename(from, to)
}

func (r runner) writeArchives(ctx context.Context) ([]archive.File, error) {
	p := r.p
	if r.s.Dist == "" || len(p.Archives) == 0 {
		return nil, nil
	}
	archives := make([]archive.Archive, len(p.Archives))
	for i, a := range p.Archives {
		b := plan.Binary{Name: "istioctl", Platform: a.Platform}
		archives[i] = archive.Archive{Name: a.Name, Binary: archive.Binary{
			Path:     filepath.Join(r.binDir(), compile.Path(b)),
			Platform: a.Platform,
		}}
	}
	if err := os.MkdirAll(r.s.Dist, 0o755); err != nil {
		return nil, err
	}
	done := r.s.Progress.Step(fmt.Sprintf("write %d istioctl archives to %s", len(archives), r.s.Dist))
	files, err := archive.Write(ctx, r.s.Dist, archives, archive.WithModTime(commitTime(p)))
	if err == nil {
		err = archive.VerifyDir(ctx, r.s.Dist, archives)
	}
	done(err)
	if err != nil {
		return nil, fmt.Errorf("writing istioctl archives to %s: %w", r.s.Dist, err)
	}
	return files, nil
}
