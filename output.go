package istiomab

import (
	"context"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run"
)

// LockFile is the lock of a build written into its layout, at the root.
const LockFile = "istio-mab.lock"

// finishLayout records the layout's contents once every list is named,
// then packs it for a tarball.
func finishLayout(ctx context.Context, out Output, p plan.Plan, line string, res run.Result) error {
	if err := writeLock(ctx, filepath.Join(out.LayoutDir, LockFile), p, line); err != nil {
		return err
	}
	c := carry.Contents{Version: p.Version, Hub: p.Hub}
	for _, pub := range res.Published {
		l, err := carry.ListOf(p.Hub, pub, shipped(p, pub.Repository))
		if err != nil {
			return err
		}
		c.Lists = append(c.Lists, l)
	}
	var err error
	if c.Files, err = carry.FilesIn(out.LayoutDir, "files", LockFile); err != nil {
		return err
	}
	if err := carry.WriteContents(out.LayoutDir, c); err != nil {
		return err
	}
	if out.TarFile == "" {
		return nil
	}
	defer os.RemoveAll(out.LayoutDir)
	return carry.Pack(out.LayoutDir, out.TarFile)
}

// shipped are the executables of repo's images (every variant of an image
// holds the same), repo as publish names it.
func shipped(p plan.Plan, repo string) []string {
	for _, img := range p.Images {
		if r, err := name.NewRepository(img.Repository); err == nil && r.String() == repo {
			return img.Shipped
		}
	}
	return nil
}

// writeLock records the inputs of p, fetching each download to hash it.
func writeLock(ctx context.Context, path string, p plan.Plan, line string) error {
	l, err := lockOf(ctx, p, line)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := lock.Write(f, l); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func lockOf(ctx context.Context, p plan.Plan, line string) (lock.Lock, error) {
	sums, err := lock.Fetch(ctx, p)
	if err != nil {
		return lock.Lock{}, err
	}
	return lock.Of(p, line, sums)
}
