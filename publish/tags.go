package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Result describes a published image, for a summary table.
type Result struct {
	Repository string
	// Index is the manifest list: digest, size, media type.
	Index v1.Descriptor
	// Children are its entries, sorted by platform: platform, digest, size.
	Children []v1.Descriptor
	Tags     []TagResult
	// Platforms are the checked platform images, with config and size.
	Platforms []PlatformInfo
	// Signatures are the signatures and signed attestations written.
	Signatures []Signature
	// Pushed is false for a local check (--push=false): nothing was written.
	Pushed bool
}

// TagResult says what happened to one tag.
type TagResult struct {
	Tag      string
	Previous v1.Hash // zero when the tag did not exist
	Moved    bool    // false when it already pointed at the list
}

// MoveTags points every tag of pr at its manifest list, with a PUT of the
// same bytes, skipping tags already there. On error the tags moved so far
// point at the complete list and the rest are unchanged; the Result lists
// the ones handled.
func (p *Publisher) MoveTags(ctx context.Context, pr *Prepared) (*Result, error) {
	res := &Result{
		Repository: pr.Repository.String(),
		Index:      pr.Index.Descriptor,
		Children:   pr.Index.Children,
		Platforms:  pr.Platforms,
		Signatures: pr.Signatures,
		Pushed:     true,
	}
	opts := p.access.Remote(ctx)
	for _, t := range pr.Tags {
		ref := pr.Repository.Tag(t)
		tr := TagResult{Tag: t}
		prev, err := remote.Head(ref, opts...)
		switch {
		case registry.IsNotFound(err):
		case err != nil:
			return res, registry.Explain("reading tag", ref, err)
		default:
			tr.Previous = prev.Digest
		}
		if tr.Previous != pr.Index.Descriptor.Digest {
			if err := remote.Put(ref, pr.Index, opts...); err != nil {
				return res, registry.Explain("tagging", ref, err)
			}
			tr.Moved = true
			if err := checkTag(ref, pr.Index.Descriptor.Digest, opts); err != nil {
				return res, err
			}
		}
		res.Tags = append(res.Tags, tr)
	}
	return res, nil
}

// checkTag reads a tag back after its PUT: another run pushing the same tag
// at once may have won, and this run must not report a tag it lost.
func checkTag(ref name.Tag, want v1.Hash, opts []remote.Option) error {
	got, err := remote.Head(ref, opts...)
	if err != nil {
		return registry.Explain("reading back tag", ref, err)
	}
	if got.Digest != want {
		return fmt.Errorf("tag %s was overwritten by another push: it points to %s, not this run's list %s", ref, got.Digest, want)
	}
	return nil
}
