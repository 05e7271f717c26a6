package main

import (
	"fmt"
	istiomab "github.com/istio-mab/istio-mab"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/plan"
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

func (a airgapOptions) output() istiomab.Output {
	return istiomab.Output{LayoutDir: a.layoutDir, TarFile: a.tarFile}
}

func errRequired(flag, what string) error {
	return fmt.Errorf("%s is required: %s", flag, what)
}
