package run

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/archive"
	"github.com/istio-mab/istio-mab/run/compile"
)

// archiveStage writes each platform's istioctl archives as soon as its
// istioctl is checked, while other binaries still compile, into a hidden
// directory inside --dist; publish verifies them there and renames them
// into --dist before any tag moves, so --dist never holds a partial or
// unverified archive.
type archiveStage struct {
	ctx      context.Context // the run's: a compile's ends with its group
	dir      string          // inside Dist: moving is a rename
	dist     string
	archives []archive.Archive
	opts     []archive.Option
	progress Reporter

	wg    sync.WaitGroup
	mu    sync.Mutex
	files map[string]archive.File // by archive name
	errs  []error
}

// newArchiveStage is nil when the run writes no archives.
func newArchiveStage(ctx context.Context, p plan.Plan, s Settings, binDir string) (*archiveStage, error) {
	if s.Dist == "" || len(p.Archives) == 0 {
		return nil, nil
	}
	if err := os.MkdirAll(s.Dist, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s for the istioctl archives: %w", s.Dist, err)
	}
	dir, err := os.MkdirTemp(s.Dist, ".istio-mab-archives-")
	if err != nil {
		return nil, fmt.Errorf("writing istioctl archives to %s: %w", s.Dist, err)
	}
	a := &archiveStage{ctx: ctx, dir: dir, dist: s.Dist, progress: s.Progress, files: map[string]archive.File{},
		opts: []archive.Option{archive.WithModTime(commitTime(p)), archive.WithPrevious(s.Dist)}}
	for _, pa := range p.Archives {
		b := plan.Binary{Name: "istioctl", Platform: pa.Platform}
		a.archives = append(a.archives, archive.Archive{Name: pa.Name, Binary: archive.Binary{
			Path: filepath.Join(binDir, compile.Path(b)), Platform: pa.Platform,
		}})
	}
	return a, nil
}

// start writes, in the background, the archives of b when b is an istioctl
// they hold.
func (a *archiveStage) start(b plan.Binary) {
	if a == nil || b.Name != "istioctl" {
		return
	}
	var mine []archive.Archive
	for _, ar := range a.archives {
		if plan.SamePlatform(ar.Binary.Platform, b.Platform) {
			mine = append(mine, ar)
		}
	}
	if len(mine) == 0 {
		return
	}
	a.wg.Go(func() {
		done := a.progress.Step(fmt.Sprintf("write %d istioctl archives for %s", len(mine), platforms.Format(b.Platform)))
		files, err := archive.Write(a.ctx, a.dir, mine, a.opts...)
		if err == nil {
			err = archive.VerifyDir(a.ctx, a.dir, mine)
		}
		done(err)
		a.mu.Lock()
		defer a.mu.Unlock()
		if err != nil {
			a.errs = append(a.errs, err)
		}
		for i, f := range files {
			a.files[mine[i].Name] = f
		}
	})
}

// publish waits for every archive and renames each, checksum first, into
// --dist; it returns them in plan order.
func (a *archiveStage) publish() ([]archive.File, error) {
	if a == nil {
		return nil, nil
	}
	a.wg.Wait()
	if err := errors.Join(a.errs...); err != nil {
		return nil, fmt.Errorf("writing istioctl archives to %s: %w", a.dist, err)
	}
	out := make([]archive.File, len(a.archives))
	for i, ar := range a.archives {
		f, ok := a.files[ar.Name]
		if !ok {
			return nil, fmt.Errorf("writing istioctl archives to %s: %s was never written", a.dist, ar.Name)
		}
		moved := f
		moved.Path, moved.ChecksumPath = filepath.Join(a.dist, ar.Name), filepath.Join(a.dist, ar.Name+".sha256")
		for _, mv := range [][2]string{{f.ChecksumPath, moved.ChecksumPath}, {f.Path, moved.Path}} {
			if err := os.Rename(mv[0], mv[1]); err != nil {
				return nil, fmt.Errorf("moving istioctl archive %s into %s: %w", ar.Name, a.dist, err)
			}
		}
		out[i] = moved
	}
	return out, nil
}

// close waits for writes still running and removes what publish did not move.
func (a *archiveStage) close() {
	if a == nil {
		return
	}
	a.wg.Wait()
	os.RemoveAll(a.dir)
}
