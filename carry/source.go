package carry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// readList reads the list repo:tags[0] points at; every further tag must
// point at the same list, or not exist (an alias such as V-debug that the
// source never published), in which case it is dropped from the tags
// returned.
func readList(ctx context.Context, a *registry.Access, repo name.Repository, tags []string) (v1.ImageIndex, []string, error) {
	opts := a.Remote(ctx)
	ref := repo.Tag(tags[0])
	idx, err := remote.Index(ref, opts...)
	if registry.IsNotFound(err) {
		return nil, nil, failure.Usage(registry.Explain("reading", ref, err))
	}
	if err != nil {
		return nil, nil, failure.Registry(registry.Explain("reading", ref, err))
	}
	want, err := idx.Digest()
	if err != nil {
		return nil, nil, err
	}
	kept := tags[:1:1]
	for _, t := range tags[1:] {
		d, err := remote.Head(repo.Tag(t), opts...)
		switch {
		case registry.IsNotFound(err):
			continue
		case err != nil:
			return nil, nil, failure.Registry(registry.Explain("reading", repo.Tag(t), err))
		case d.Digest != want:
			return nil, nil, fmt.Errorf("%s:%s is %s but %s:%s is %s: carry one list per variant, or name the tags with --tag", repo, tags[0], want, repo, t, d.Digest)
		}
		kept = append(kept, t)
	}
	return idx, kept, nil
}
