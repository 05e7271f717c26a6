package istiomab

import (
	"context"
	"crypto"
	"fmt"
	"os"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
)

// Release names a release's lists in a registry, as build publishes them.
type Release struct {
	Version, Hub, Tag string   // Tag defaults to Version
	Images, Variants  []string // images no recipe builds (ztunnel, ...) are copied without a binary check
}

// CopyResult is what a copy wrote: each list, and how many were already there.
type CopyResult struct {
	Lists []*publish.Result
	Stats carry.Stats
}

// ExportRequest copies a release's published lists into an OCI layout.
type ExportRequest struct {
	Release    Release
	To         Output // To.Since makes a delta
	Registries Registries
}

// Export copies a release's lists from a registry into an OCI layout (or
// its tarball) to carry across an air gap, every digest unchanged.
func Export(ctx context.Context, req ExportRequest) (CopyResult, error) {
	r, _, err := releaseOf(req.Release)
	if err != nil {
		return CopyResult{}, failure.Usage(err)
	}
	access, err := req.Registries.access()
	if err != nil {
		return CopyResult{}, failure.Usage(err)
	}
	return toLayout(ctx, access, r, req.To, carry.CopyOptions{})
}

// ImportRequest pushes a layout (a directory, or the tarball of one) to Hub.
type ImportRequest struct {
	From       string
	Hub        string
	Registries Registries
	// VerifyKey, when set, must have signed every list of the layout, each
	// manifest it holds and each attestation statement; checked offline in
	// the layout before anything is pushed.
	VerifyKey crypto.PublicKey
	// ValuesOut, when set, is where the Helm values for Hub are written;
	// the printed install commands name it.
	ValuesOut string
}

// ImportResult is what an import pushed: every list, and the release's
// install when the bundle carries one (charts under Hub/charts, the values
// for Hub, the install commands).
type ImportResult = carry.Imported

// Import pushes a layout written by Build's Output or Export into a
// registry, verifies every list, and only then moves the tags; the
// bundle's charts go beside the images as OCI artefacts (tagged after the
// lists), and its values are rewritten for Hub (written to ValuesOut when
// set). The bundle is checked whole before the first request (carry.Vet);
// a tarball is unpacked into a temporary directory removed on return.
func Import(ctx context.Context, req ImportRequest) (ImportResult, error) {
	access, err := req.Registries.access()
	if err != nil {
		return ImportResult{}, failure.Usage(err)
	}
	b, err := carry.OpenBundle(ctx, req.From)
	if err != nil {
		return ImportResult{}, failure.Usage(err)
	}
	defer b.Close()
	valuesPath := req.ValuesOut
	if valuesPath == "" {
		valuesPath = "values.yaml"
	}
	res, err := carry.Import(ctx, b.Dir, req.Hub, access, carry.ImportOptions{VerifyKey: req.VerifyKey, Bundle: b.Name, ValuesPath: valuesPath})
	if err != nil || req.ValuesOut == "" || res.Install.Values == nil {
		return res, err
	}
	if err := os.WriteFile(req.ValuesOut, res.Install.Values, 0o644); err != nil {
		return res, fmt.Errorf("writing the values for %s: %w", req.Hub, err)
	}
	return res, nil
}

// MirrorRequest copies a release upstream published multi-arch.
type MirrorRequest struct {
	Release Release // Hub is where the lists are copied from
	Hub     string  // where they go; or To
	To      Output
	// Platforms keep only these platforms of each list (new lists, new
	// digests); empty: every list is copied as is and must hold every
	// platform upstream published.
	Platforms  []ocispecs.Platform
	Registries Registries
	// VerifyKey, when set, must have signed every list and manifest at
	// the source (upstream's key is istio.io/misc/istio-key.pub); checked
	// before anything is written.
	VerifyKey crypto.PublicKey
}

// Mirror copies a release upstream published for every platform (1.15 and
// later) into a registry or a layout, lists and attestations byte for byte.
func Mirror(ctx context.Context, req MirrorRequest, opts ...Option) (CopyResult, error) {
	s := newSettings(opts)
	r, recipe, err := releaseOf(req.Release)
	if err != nil {
		return CopyResult{}, failure.Usage(err)
	}
	if err := carry.MultiArch(r.Version, recipe.Envoy.Arches); err != nil {
		return CopyResult{}, failure.Usage(err)
	}
	o := carry.CopyOptions{Platforms: req.Platforms, VerifyKey: req.VerifyKey}
	if len(req.Platforms) == 0 {
		for _, a := range recipe.Envoy.Arches {
			o.Require = append(o.Require, ocispecs.Platform{OS: "linux", Architecture: a})
		}
	} else {
		s.warn("--platforms writes new lists: their digests differ from the source's, so nothing signed or pinned upstream matches them")
	}
	access, err := req.Registries.access()
	if err != nil {
		return CopyResult{}, failure.Usage(err)
	}
	if req.To.set() {
		return toLayout(ctx, access, r, req.To, o)
	}
	res, st, err := carry.ToRegistry(ctx, access, r, req.Hub, o)
	return CopyResult{Lists: res, Stats: st}, err
}

func toLayout(ctx context.Context, access registryAccess, r carry.Release, out Output, o carry.CopyOptions) (CopyResult, error) {
	if out.Since != "" {
		base, err := carry.ReadBase(out.Since)
		if err != nil {
			return CopyResult{}, failure.Usage(err)
		}
		o.Since = &base
	}
	res, st, err := carry.ToLayout(ctx, access, r, out.LayoutDir, o)
	if err == nil && out.TarFile != "" {
		err = pack(out)
		os.RemoveAll(out.LayoutDir)
	}
	return CopyResult{Lists: res, Stats: st}, err
}

// releaseOf is the release's lists under its hub, as plan.Lists names them,
// with the binaries each recipe image holds; images no recipe builds are
// named the same way and carry no binary check.
func releaseOf(rel Release) (carry.Release, recipes.Recipe, error) {
	if rel.Version == "" {
		return carry.Release{}, recipes.Recipe{}, fmt.Errorf("--version is required: the Istio release, e.g. --version 1.22.0")
	}
	sel, err := recipes.Select(rel.Version)
	if err != nil {
		return carry.Release{}, recipes.Recipe{}, err
	}
	var built, other []string
	for _, name := range rel.Images {
		if _, ok := sel.Recipe.Images[name]; ok {
			built = append(built, name)
		} else {
			other = append(other, name)
		}
	}
	out := carry.Release{Version: rel.Version, Hub: rel.Hub, Tag: rel.Tag}
	o := plan.Options{Version: rel.Version, Hub: rel.Hub, Tag: rel.Tag, Images: built, Variants: rel.Variants, Platforms: defaultPlatforms()}
	if len(built) > 0 {
		lists, err := plan.Lists(o, sel.Recipe)
		if err != nil {
			return out, sel.Recipe, err
		}
		for _, l := range lists {
			out.Images = append(out.Images, publish.Image{Repository: l.Repository, Tags: l.Tags, Binaries: l.Shipped})
		}
	}
	tag := rel.Tag
	if tag == "" {
		tag = rel.Version
	}
	for _, name := range other {
		for _, variant := range rel.Variants {
			out.Images = append(out.Images, publish.Image{Repository: rel.Hub + "/" + name, Tags: plan.Tags(tag, variant)})
		}
	}
	return out, sel.Recipe, nil
}

func defaultPlatforms() []ocispecs.Platform {
	return []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}
}

// pack writes out's layout as its tarball, in parts with a split size.
func pack(out Output) error {
	if out.SplitSize > 0 {
		return carry.PackSplit(out.LayoutDir, out.TarFile, out.SplitSize)
	}
	return carry.Pack(out.LayoutDir, out.TarFile)
}
