package carry

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// toRegistry copies lists under another hub, checking each there as a
// build's lists are checked.
type toRegistry struct {
	access   *registry.Access
	pub      *publish.Publisher
	from, to string
}

func (r toRegistry) adopt(ctx context.Context, src string, idx v1.ImageIndex, img publish.Image) (*publish.Prepared, bool, error) {
	raw, err := idx.RawManifest()
	if err != nil {
		return nil, false, err
	}
	ei, err := publish.ExistingIndex(raw)
	if err != nil {
		return nil, false, err
	}
	srcRepo, err := r.access.Repository(src)
	if err != nil {
		return nil, false, err
	}
	dst := r.to + "/" + publish.RefName(r.from, srcRepo)
	repo, err := r.pub.Reference(dst)
	if err != nil {
		return nil, false, err
	}
	ref := repo.Digest(ei.Descriptor.Digest.String())
	_, headErr := remote.Head(ref, r.access.Remote(ctx)...)
	copied := headErr != nil
	if copied {
		// Blobs and child manifests already there are skipped.
		if err := remote.WriteIndex(ref, idx, r.access.Remote(ctx)...); err != nil {
			return nil, false, registry.Explain("copying to", ref, err)
		}
	}
	// Signatures go up before any tag moves, as a build's do.
	st := sign.Remote(r.access.Remote(ctx)...)
	if err := copySignatures(st, srcRepo, st, repo, idx); err != nil {
		return nil, false, err
	}
	// A present list is checked all the same: a tag moves only to a list
	// the registry serves complete.
	pr, err := r.pub.Adopt(ctx, dst, ei, img.Binaries, img.Tags)
	return pr, copied, err
}

func (r toRegistry) MoveTags(ctx context.Context, pr *publish.Prepared) (*publish.Result, error) {
	return r.pub.MoveTags(ctx, pr)
}

// toLayout copies lists into an OCI layout after checking their platform
// images at the source.
type toLayout struct {
	access *registry.Access
	pub    *publish.Publisher
	layout *publish.Layout
}

func (l toLayout) adopt(ctx context.Context, src string, idx v1.ImageIndex, img publish.Image) (*publish.Prepared, bool, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, false, err
	}
	check := publish.Image{Repository: src, Binaries: img.Binaries}
	for _, c := range m.Manifests {
		if c.Platform != nil && !publish.IsAttestation(c) {
			check.Platforms = append(check.Platforms, publish.PlatformImage{Platform: publish.FromV1(*c.Platform), Digest: c.Digest})
		}
	}
	if _, err := l.pub.Verify(ctx, check); err != nil {
		return nil, false, err
	}
	repo, err := l.access.Repository(src)
	if err != nil {
		return nil, false, err
	}
	pr, copied, err := l.layout.Adopt(idx, repo, img.Tags)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", src, err)
	}
	// Signatures are in the layout before any list is named, as a build's are.
	if err := copySignatures(sign.Remote(l.access.Remote(ctx)...), repo, l.layout.Signatures(), repo, idx); err != nil {
		return nil, false, fmt.Errorf("%s: %w", src, err)
	}
	return pr, copied, nil
}

func (l toLayout) MoveTags(ctx context.Context, pr *publish.Prepared) (*publish.Result, error) {
	return l.layout.MoveTags(ctx, pr)
}
