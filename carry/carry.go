package carry

import (
	"context"
	"fmt"
	"slices"

	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
)

// Release is a set of lists in a registry: Images name repositories under
// Hub, each with its tags (the first must exist; later ones are aliases)
// and the binaries its platform images hold.
type Release struct {
	Version string
	Hub     string
	Images  []publish.Image
	// Tag is the release's tag (default: Version), which the install's
	// values name.
	Tag string
}

// ToRegistry copies every list of r under hub to, by digest with all its
// children and attestations, as bytes (so every digest is the source's
// unless o.Platforms narrows the lists), skipping what is there already;
// checks each at the destination; and only then moves the tags. The
// charts the source holds for r (HUB/charts/NAME:VERSION) come along,
// tagged after the lists.
func ToRegistry(ctx context.Context, access *registry.Access, r Release, to string, o CopyOptions) ([]*publish.Result, Stats, error) {
	pub, err := publish.New(access)
	if err != nil {
		return nil, Stats{}, err
	}
	if o.VerifyKey != nil {
		if err := verifySources(ctx, access, r, o.VerifyKey); err != nil {
			return nil, Stats{}, err
		}
	}
	charts, err := chartsFor(ctx, access, r, to)
	if err != nil {
		return nil, Stats{}, err
	}
	c := &copier{access: access, o: o, dest: toRegistry{access: access, pub: pub, from: r.Hub, to: to}}
	res, err := publish.All(ctx, c, r.Images, withBefore(o.Options, func(ctx context.Context) error {
		return failure.Registry(charts.Write(access.Remote(ctx)...))
	}))
	if err == nil {
		if err = charts.Tag(access.Remote(ctx)...); err != nil {
			err = publish.TagFailure(err, res)
		}
	}
	return res, c.stats, err
}

// chartsFor reads r's charts (pushed beside its lists) for to, once push
// access is checked: written there before the lists' tags move, tagged
// after.
func chartsFor(ctx context.Context, access *registry.Access, r Release, to string) (install.Charts, error) {
	pulled, err := install.Pull(access.Repository, r.Hub, r.Version, access.Remote(ctx)...)
	if err != nil || len(pulled) == 0 {
		return install.Charts{}, err
	}
	charts, err := install.ForHub(access.Repository, to, pulled)
	if err != nil {
		return charts, err
	}
	return charts, checkPushAccess(ctx, access, charts.Repositories())
}

// withBefore is o with also run before the tags move, after o's own.
func withBefore(o publish.Options, also func(context.Context) error) publish.Options {
	before := o.BeforeTags
	o.BeforeTags = func(ctx context.Context) error {
		if before != nil {
			if err := before(ctx); err != nil {
				return err
			}
		}
		return also(ctx)
	}
	return o
}

// ToLayout copies every list of r into the OCI layout at dir (created when
// missing) as ToRegistry does, after checking its platform images at the
// source, names each NAME:TAG, and writes the contents file last. With
// o.Since, the layout is a delta: the layers the previous bundle carried
// under the same list name are left out, and named in the contents file.
func ToLayout(ctx context.Context, access *registry.Access, r Release, dir string, o CopyOptions) ([]*publish.Result, Stats, error) {
	pub, err := publish.New(access)
	if err != nil {
		return nil, Stats{}, err
	}
	l, err := publish.NewLayout(dir, "", r.Hub)
	if err != nil {
		return nil, Stats{}, err
	}
	if o.VerifyKey != nil {
		if err := verifySources(ctx, access, r, o.VerifyKey); err != nil {
			return nil, Stats{}, err
		}
	}
	c := &copier{access: access, o: o, dest: toLayout{access: access, pub: pub, layout: l}}
	res, err := publish.All(ctx, c, r.Images, o.Options)
	if err != nil {
		return res, c.stats, err
	}
	contents := Contents{Version: r.Version, Hub: r.Hub}
	for i, pr := range res {
		list, err := ListOf(r.Hub, pr, r.Images[i].Binaries)
		if err != nil {
			return res, c.stats, err
		}
		contents.Lists = append(contents.Lists, list)
	}
	if contents.Files, err = writeInstall(ctx, access, r, dir); err != nil {
		return res, c.stats, err
	}
	if o.Since != nil {
		if err := LeaveOut(dir, &contents, *o.Since); err != nil {
			return res, c.stats, fmt.Errorf("leaving out the layers of %s: %w", o.Since.Version, err)
		}
	}
	return res, c.stats, WriteContents(dir, contents)
}

// writeInstall puts the charts a build pushed for r beside its lists
// (H/charts/NAME:VERSION) into the layout at dir, with the images they
// render and both overrides for r's hub, and returns those files; none
// when the hub holds no chart of r.
func writeInstall(ctx context.Context, access *registry.Access, r Release, dir string) ([]File, error) {
	charts, err := install.Pull(access.Repository, r.Hub, r.Version, access.Remote(ctx)...)
	if err != nil || len(charts) == 0 {
		return nil, err
	}
	tag := r.Tag
	if tag == "" {
		tag = r.Version
	}
	if err := install.Write(dir, charts, r.Hub, tag); err != nil {
		return nil, err
	}
	return FilesIn(dir, install.Paths()...)
}

// MultiArch refuses to mirror a release upstream published for amd64 alone
// (arches are those it shipped an Envoy for: Istio before 1.15): a copy
// would carry the exec format error it is meant to end.
func MultiArch(version string, arches []string) error {
	if !slices.Contains(arches, "arm64") {
		return fmt.Errorf("upstream published Istio %s for amd64 only: rebuild it for every platform with istio-mab build", version)
	}
	return nil
}
