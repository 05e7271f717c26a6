package carry

import (
	"context"
	"crypto"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/carry/install"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// Import pushes every list of the layout at dir into hub by digest, with
// all its children, as bytes; checks each as a build's lists are checked
// (config platform and binaries of every platform image, the list served
// complete) and against the contents file; and only once every list passed
// moves their tags. Signatures travel with the lists, pushed before any tag
// moves; with o.VerifyKey they are verified in the layout first, offline.
// The bundle's charts go to hub/charts by digest before the first tag
// moves, and their tags after the lists'. It reads nothing but dir and
// reaches no registry but hub's, and no registry at all before Vet passed
// the whole layout. A delta's base layers are looked for at hub before
// anything is written (checkBase).
func Import(ctx context.Context, dir, hub string, access *registry.Access, o ImportOptions) (Imported, error) {
	name := o.Bundle
	if name == "" {
		name = dir
	}
	c, err := Vet(ctx, dir, name)
	if err != nil {
		return Imported{}, err
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		return Imported{}, fmt.Errorf("opening OCI layout %s: %w", dir, err)
	}
	if err := checkSignatureRefs(p, c); err != nil {
		return Imported{}, failure.Verify(err)
	}
	sigs := publish.LayoutSignatures(p, c.Hub)
	if o.VerifyKey != nil {
		if err := verifyLayout(p, sigs, c, o.VerifyKey); err != nil {
			return Imported{}, err
		}
	}
	in, err := install.ForImport(dir, c.paths(), hub, o.ValuesPath, access.Repository)
	if err != nil {
		return Imported{}, err
	}
	pub, err := publish.New(access)
	if err != nil {
		return Imported{}, err
	}
	im := &importer{layout: p, sigs: sigs, hub: c.Hub, pub: pub, access: access, lists: map[string]List{}, mounts: mounts{}, inBase: c.inBase()}
	images := make([]publish.Image, len(c.Lists))
	repos := in.Charts.Repositories()
	for i, l := range c.Lists {
		images[i] = publish.Image{Repository: strings.TrimSuffix(hub, "/") + "/" + l.Name, Tags: l.Tags, Binaries: l.Binaries}
		im.lists[key(images[i])] = l
		repos = append(repos, images[i].Repository)
	}
	if err := checkBase(ctx, access, hub, name, c); err != nil {
		return Imported{}, err
	}
	if err := checkPushAccess(ctx, access, repos); err != nil {
		return Imported{}, err
	}
	return importAll(ctx, im, images, in, o.Options)
}

// importAll publishes the lists, the charts written by digest before the
// first tag moves and tagged after the last.
func importAll(ctx context.Context, im *importer, images []publish.Image, in install.Imported, o publish.Options) (Imported, error) {
	lists, err := publish.All(ctx, im, images, withBefore(o, func(ctx context.Context) error {
		return failure.Registry(in.Charts.Write(im.access.Remote(ctx)...))
	}))
	if err != nil {
		return Imported{Lists: lists}, err
	}
	if err := in.Charts.Tag(im.access.Remote(ctx)...); err != nil {
		return Imported{Lists: lists}, publish.TagFailure(err, lists)
	}
	return Imported{Lists: lists, Install: in}, nil
}

// Imported is what an import pushed: every list, and the release's install
// when the bundle carries one.
type Imported struct {
	Lists   []*publish.Result
	Install install.Imported
}

// checkPushAccess asks for push access to every repository before the
// first write, as build does: an unreachable registry or refused
// credentials fail the import with nothing written.
func checkPushAccess(ctx context.Context, access *registry.Access, repos []string) error {
	seen := map[string]bool{}
	for _, r := range repos {
		if seen[r] {
			continue
		}
		seen[r] = true
		if err := access.CheckPush(ctx, r); err != nil {
			return failure.Registry(err)
		}
	}
	return nil
}

// ImportOptions shape an import.
type ImportOptions struct {
	publish.Options
	// VerifyKey, when set, must have signed every list, each manifest it
	// holds and each attestation statement, as the layout carries them.
	VerifyKey crypto.PublicKey
	// Bundle names the bundle in messages, as the user gave it (a
	// tarball unpacked into dir). Default: dir.
	Bundle string
	// ValuesPath is the values file the printed helm commands pass to -f.
	ValuesPath string
}

// verifyLayout checks every list's signatures in the layout before
// anything is pushed.
func verifyLayout(p layout.Path, sigs sign.Store, c Contents, key crypto.PublicKey) error {
	root, err := p.ImageIndex()
	if err != nil {
		return err
	}
	for _, l := range c.Lists {
		idx, err := root.ImageIndex(l.Digest)
		if err != nil {
			return fmt.Errorf("%s@%s is not named in index.json: %w", l.Name, l.Digest, err)
		}
		repo, err := parseRepo(strings.TrimSuffix(c.Hub, "/") + "/" + l.Name)
		if err != nil {
			return err
		}
		if err := verifySigned(sigs, key, repo, l.Tags[0], idx); err != nil {
			return err
		}
	}
	return nil
}

// importer is the publish.Stages of an import: Prepare copies a list from
// the layout, MoveTags is the registry's.
type importer struct {
	layout layout.Path
	sigs   sign.Store // the layout's signatures
	hub    string     // the layout's
	pub    *publish.Publisher
	access *registry.Access
	lists  map[string]List // by key(image)
	mounts mounts          // where each blob pushed so far is
	// inBase are the layers a delta lacks: checkBase found them at the
	// destination, where remote.WriteIndex finds them too (it asks for
	// each blob before reading it), so they are never read.
	inBase map[v1.Hash]bool
}

func key(img publish.Image) string { return img.Repository + ":" + strings.Join(img.Tags, ",") }

func (im *importer) Prepare(ctx context.Context, img publish.Image) (*publish.Prepared, error) {
	l := im.lists[key(img)]
	idx, err := im.readList(l)
	if err != nil {
		return nil, err
	}
	repo, err := im.pub.Reference(img.Repository)
	if err != nil {
		return nil, err
	}
	ref := repo.Digest(l.Digest.String())
	if err := im.mounts.mountInto(ctx, idx, repo, im.access.Remote(ctx)...); err != nil {
		return nil, registry.Explain("mounting the blobs of", ref, err)
	}
	if err := remote.WriteIndex(ref, idx, im.access.Remote(ctx)...); err != nil {
		return nil, registry.Explain("pushing", ref, err)
	}
	if err := im.mounts.record(idx, repo); err != nil {
		return nil, err
	}
	src, err := parseRepo(strings.TrimSuffix(im.hub, "/") + "/" + l.Name)
	if err != nil {
		return nil, err
	}
	if err := copySignatures(im.sigs, src, sign.Remote(im.access.Remote(ctx)...), repo, idx); err != nil {
		return nil, registry.Explain("pushing signatures", ref, err)
	}
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, err
	}
	ei, err := publish.ExistingIndex(raw)
	if err != nil {
		return nil, err
	}
	return im.pub.Adopt(ctx, img.Repository, ei, img.Binaries, img.Tags)
}

// readList checks the whole list in the layout, blob by blob, and that its
// platform images are the ones the contents file records.
func (im *importer) readList(l List) (v1.ImageIndex, error) {
	if err := publish.CheckLayoutTreeExcept(im.layout, l.Descriptor(), im.inBase); err != nil {
		return nil, fmt.Errorf("%s@%s: %w", l.Name, l.Digest, err)
	}
	root, err := im.layout.ImageIndex()
	if err != nil {
		return nil, err
	}
	idx, err := root.ImageIndex(l.Digest)
	if err != nil {
		return nil, fmt.Errorf("%s@%s is not named in index.json: %w", l.Name, l.Digest, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	if got := listPlatforms(*m); !slices.Equal(got, l.Platforms) {
		return nil, fmt.Errorf("%s@%s holds %v, %s records %v: carry the layout again", l.Name, l.Digest, got, ContentsFile, l.Platforms)
	}
	return idx, nil
}

func (im *importer) MoveTags(ctx context.Context, pr *publish.Prepared) (*publish.Result, error) {
	return im.pub.MoveTags(ctx, pr)
}
