package publish

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Describe reads what repo's tags hold as the Result of a run that moved
// none of them: the list under the first tag (every tag must hold the same
// one), its entries and each platform image's manifest. No layer is read,
// so an up-to-date build reports its lists in a few requests.
func (p *Publisher) Describe(ctx context.Context, repo string, tags []string) (*Result, error) {
	r, err := p.access.Repository(repo)
	if err != nil {
		return nil, err
	}
	res := &Result{Repository: r.String(), Pushed: true}
	for i, tag := range tags {
		desc, err := remote.Get(r.Tag(tag), p.access.Remote(ctx)...)
		if err != nil {
			return nil, registry.Explain("reading", r.Tag(tag), err)
		}
		if i > 0 && desc.Digest != res.Index.Digest {
			return nil, fmt.Errorf("reading %s: tag %s holds %s, tag %s holds %s", r, tags[0], res.Index.Digest, tag, desc.Digest)
		}
		res.Tags = append(res.Tags, TagResult{Tag: tag, Previous: desc.Digest})
		if i > 0 {
			continue
		}
		idx, err := ExistingIndex(desc.Manifest)
		if err != nil {
			return nil, err
		}
		res.Index, res.Children = idx.Descriptor, idx.Children
	}
	for _, c := range res.Children {
		if IsAttestation(c) || c.Platform == nil {
			continue
		}
		img, err := remote.Image(r.Digest(c.Digest.String()), p.access.Remote(ctx)...)
		if err != nil {
			return nil, registry.Explain("reading", r.Digest(c.Digest.String()), err)
		}
		info, err := platformInfo(img, FromV1(*c.Platform))
		if err != nil {
			return nil, registry.Explain("reading", r.Digest(c.Digest.String()), err)
		}
		res.Platforms = append(res.Platforms, info)
	}
	return res, nil
}
