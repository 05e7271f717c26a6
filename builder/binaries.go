package builder

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/builder/archive"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/compile"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/moby/buildkit/client"
)

// ArchiveResult is one istioctl archive written.
type ArchiveResult = archive.File

// compileAndCheck exports every compiled binary to stage and checks each is
// an executable for its platform before any image is published.
func compileAndCheck(ctx context.Context, c *buildkit.Client, p plan.Plan, s Settings, stage string) error {
	def, err := compile.All(p, source.State(p.Source, p.Facts.Commit)).Marshal(ctx)
	if err != nil {
		return err
	}
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: stage}}}
	if _, err := c.Solve(ctx, def, opt, locals(p), s.Progress); err != nil {
		return fmt.Errorf("compiling: %w", err)
	}
	done := s.Progress.Step(fmt.Sprintf("check %d binaries are built for their platforms", len(p.Binaries)))
	for _, b := range p.Binaries {
		if err = checkBinary(filepath.Join(stage, compile.Path(b)), b); err != nil {
			break
		}
	}
	done(err)
	return err
}

func checkBinary(path string, b plan.Binary) error {
	if err := checkBinaryFile(path, b.Platform); err != nil {
		return fmt.Errorf("checking %s for %s: %w", b.Name, platforms.Format(b.Platform), err)
	}
	return nil
}

func writeArchives(ctx context.Context, p plan.Plan, s *buildkit.Progress, dist, stage string) ([]ArchiveResult, error) {
	if dist == "" || len(p.Archives) == 0 {
		return nil, nil
	}
	archives := make([]archive.Archive, len(p.Archives))
	for i, a := range p.Archives {
		b := plan.Binary{Name: "istioctl", Platform: a.Platform}
		archives[i] = archive.Archive{Name: a.Name, Binary: archive.Binary{
			Path:     filepath.Join(stage, compile.Path(b)),
			Platform: archive.Platform{OS: a.Platform.OS, Arch: a.Platform.Architecture, Variant: a.Platform.Variant},
		}}
	}
	if err := os.MkdirAll(dist, 0o755); err != nil {
		return nil, err
	}
	done := s.Step(fmt.Sprintf("write %d istioctl archives to %s", len(archives), dist))
	files, err := archive.Write(ctx, dist, archives, archive.WithModTime(commitTime(p)))
	if err == nil {
		err = archive.VerifyDir(ctx, dist, archives)
	}
	done(err)
	if err != nil {
		return nil, fmt.Errorf("writing istioctl archives to %s: %w", dist, err)
	}
	return files, nil
}
