package istiomab

import (
	"context"
	"os"
	"path/filepath"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run"
)

// LockFile is the lock of a build written into its layout, at the root.
const LockFile = "istio-mab.lock"

// layoutSink is a build's OCI layout, which finishes itself once every
// list is named: its lock, from the hashes the run checked, its contents
// file, and its tarball.
type layoutSink struct {
	*publish.Layout
	out  Output
	p    plan.Plan
	line string
}

func (l layoutSink) Finish(_ context.Context, res run.Result) error {
	return finishLayout(l.out, l.p, l.line, res)
}

// finishLayout records the layout's contents once every list is named,
// then packs it for a tarball.
func finishLayout(out Output, p plan.Plan, line string, res run.Result) error {
	if err := writeLock(filepath.Join(out.LayoutDir, LockFile), p, line, res.Checked); err != nil {
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
	if c.Files, err = carry.FilesIn(out.LayoutDir, append([]string{"files", LockFile}, install.Paths()...)...); err != nil {
		return err
	}
	if out.Since != "" {
		base, err := carry.ReadBase(out.Since)
		if err != nil {
			return err
		}
		if err := carry.LeaveOut(out.LayoutDir, &c, base); err != nil {
			return err
		}
	}
	if err := carry.WriteContents(out.LayoutDir, c); err != nil {
		return err
	}
	if out.TarFile == "" {
		return nil
	}
	defer os.RemoveAll(out.LayoutDir)
	return pack(out)
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

// writeLock records the inputs of p, with the sha256 of each download
// and Envoy file as the run checked it.
func writeLock(path string, p plan.Plan, line string, checked map[string]string) error {
	l, err := lock.Of(p, line, checked)
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
