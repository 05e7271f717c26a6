package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// registerAirgapFlags adds build's flags for carrying a release across an
// air gap: the manifest format, and an OCI layout in place of a registry.
func registerAirgapFlags(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.String("media-types", string(plan.OCI), "manifest format of images and lists: oci (OCI image index, carried by OCI layouts with every digest unchanged) or docker (Docker manifest list)")
	fl.String("lock", "", "lock file from istio-mab lock: build exactly those inputs, refusing any that drifted")
	if fl.Lookup("output") != nil {
		return // plan's --output is its format
	}
	fl.String("output", "", "oci-layout:DIR or tar:FILE: write every list, the istioctl archives and "+carry.ContentsFile+" there instead of pushing (see docs/airgap.md)")
	fl.SetAnnotation("output", airgapOutput, []string{"true"})
}

// airgapOutput marks the --output flag that names an OCI layout or tarball.
const airgapOutput = "istio-mab-airgap-output"

// airgapOptions are build's validated air-gap settings.
type airgapOptions struct {
	layoutDir string     // the OCI layout written, when --output is set
	tarFile   string     // the tarball it becomes, for tar:FILE
	lock      *lock.Lock // --lock
}

// parseAirgap reads those flags into o; --output turns pushing off.
func parseAirgap(fl *pflag.FlagSet, o *buildOptions) (err error) {
	if o.plan.MediaTypes, err = plan.ParseMediaTypes(getString(fl, "media-types")); err != nil {
		return err
	}
	if f := getString(fl, "lock"); f != "" {
		l, err := lock.Read(f)
		if err != nil {
			return err
		}
		o.out.lock = &l
	}
	if f := fl.Lookup("output"); f == nil || f.Annotations[airgapOutput] == nil {
		return nil
	}
	lk := o.out.lock
	if o.out, err = parseOutput(getString(fl, "output")); err != nil {
		return err
	}
	o.out.lock = lk
	if o.out.set() {
		o.plan.Push = false
		o.dist = filepath.Join(o.out.layoutDir, "files")
	}
	return nil
}

func parseOutput(s string) (airgapOptions, error) {
	kind, path, _ := strings.Cut(s, ":")
	switch {
	case s == "":
		return airgapOptions{}, nil
	case kind == "oci-layout" && path != "":
		return airgapOptions{layoutDir: path}, nil
	case kind == "tar" && path != "":
		// The layout is written beside FILE and packed at the end; a failed
		// run leaves it, and a rerun reuses its blobs.
		return airgapOptions{layoutDir: path + ".layout", tarFile: path}, nil
	}
	return airgapOptions{}, fmt.Errorf("--output %q: use oci-layout:DIR or tar:FILE", s)
}

func (a airgapOptions) set() bool { return a.layoutDir != "" }

// sink writes the run into the layout.
func (a airgapOptions) sink(hub, stage string) (run.Sink, error) {
	return publish.NewLayout(a.layoutDir, stage, hub)
}

// finish records the layout's contents once every list is named, then
// packs it for tar:FILE.
func (a airgapOptions) finish(ctx context.Context, p plan.Plan, line string, res run.Result) error {
	if err := writeLock(ctx, filepath.Join(a.layoutDir, lockFile), p, line); err != nil {
		return err
	}
	c := carry.Contents{Version: p.Version, Hub: p.Hub}
	for _, pub := range res.Published {
		l, err := carry.ListOf(p.Hub, pub, imageBinaries(p, pub.Repository))
		if err != nil {
			return err
		}
		c.Lists = append(c.Lists, l)
	}
	var err error
	if c.Files, err = carry.FilesIn(a.layoutDir, "files", lockFile); err != nil {
		return err
	}
	if err := carry.WriteContents(a.layoutDir, c); err != nil {
		return err
	}
	if a.tarFile == "" {
		return nil
	}
	defer os.RemoveAll(a.layoutDir)
	return carry.Pack(a.layoutDir, a.tarFile)
}

// imageBinaries are the binaries of repo's images (every variant of an
// image holds the same), repo as publish names it.
func imageBinaries(p plan.Plan, repo string) []string {
	for _, img := range p.Images {
		if r, err := name.NewRepository(img.Repository); err == nil && r.String() == repo {
			return run.Binaries(img)
		}
	}
	return nil
}

func errRequired(flag, what string) error {
	return fmt.Errorf("%s is required: %s", flag, what)
}

// lockFile is the lock of the run, at the layout's root.
const lockFile = "istio-mab.lock"

// writeLock records the inputs of p, fetching each download to hash it.
func writeLock(ctx context.Context, path string, p plan.Plan, line string) error {
	sums, err := lock.Fetch(ctx, p)
	if err != nil {
		return err
	}
	l, err := lock.Of(p, line, sums)
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
