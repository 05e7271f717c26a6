package publish

import (
	"context"
	"fmt"
	"time"

	"github.com/istio-mab/istio-mab/internal/failure"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Prepared is a manifest list pushed by digest and read back complete,
// whose tags have not moved yet.
type Prepared struct {
	Repository name.Repository
	Index      *Index
	Tags       []string
	Platforms  []PlatformInfo // in the order of the Image's platforms
	Signatures []Signature    // what signing wrote, when a signer is set
}

// Prepare verifies the platform images of img, assembles its manifest list,
// pushes it by digest (untagged) and checks the registry serves it and every
// child. It moves no tag: call MoveTags once every image is prepared.
func (p *Publisher) Prepare(ctx context.Context, img Image) (*Prepared, error) {
	repo, err := p.parse(img)
	if err != nil {
		return nil, err
	}
	children, infos, err := p.verify(ctx, repo, img)
	if err != nil {
		return nil, err
	}
	idx, err := newIndex(children, img.Declared.annotate(img.Annotations))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", repo, err)
	}
	ref := repo.Digest(idx.Descriptor.Digest.String())
	if err := remote.Put(ref, idx, p.access.Remote(ctx)...); err != nil {
		return nil, failure.Registry(registry.Explain("pushing", ref, refusedList(idx.Descriptor.MediaType, err)))
	}
	if err := p.confirm(ctx, ref, idx); err != nil {
		return nil, failure.Registry(err)
	}
	sigs, err := p.sign(ctx, ref, idx)
	if err != nil {
		return nil, err
	}
	return &Prepared{Repository: repo, Index: idx, Tags: img.Tags, Platforms: infos, Signatures: sigs}, nil
}

// readBackWait bounds how long a list and its children may answer 404 after
// their PUT: registries behind caches or with eventually consistent storage
// serve a new manifest only after a while.
const readBackWait = 10 * time.Second

// confirm reads the list back by digest and resolves each child, so a tag is
// never moved to a list the registry would answer MANIFEST_UNKNOWN for. A
// 404 is asked again, more slowly each time, until readBackWait has passed.
func (p *Publisher) confirm(ctx context.Context, ref name.Digest, idx *Index) error {
	deadline := time.Now().Add(readBackWait)
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 2*time.Second) {
		err := p.readBack(ctx, ref, idx)
		if !registry.IsNotFound(err) || time.Now().Add(wait).After(deadline) {
			if registry.IsNotFound(err) {
				return fmt.Errorf("%w (still not served %s after the PUT)", err, readBackWait)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

func (p *Publisher) readBack(ctx context.Context, ref name.Digest, idx *Index) error {
	opts := p.access.Remote(ctx)
	got, err := remote.Index(ref, opts...)
	if err != nil {
		return registry.Explain("reading back", ref, err)
	}
	im, err := got.IndexManifest()
	if err != nil {
		return registry.Explain("reading back", ref, err)
	}
	if len(im.Manifests) != len(idx.Children) {
		return fmt.Errorf("reading back %s: %d entries, pushed %d", ref, len(im.Manifests), len(idx.Children))
	}
	for _, c := range im.Manifests {
		child := ref.Context().Digest(c.Digest.String())
		if _, err := remote.Head(child, opts...); err != nil {
			return registry.Explain("resolving child", child, err)
		}
	}
	return nil
}
