package publish

import (
	"context"
	"errors"
	"fmt"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Image is one multi-platform image to publish.
type Image struct {
	// Repository is where the platform images were pushed, e.g. "registry.local:5000/istio/pilot".
	Repository string
	// Platforms are the platform images BuildKit pushed there by digest.
	Platforms []PlatformImage
	// Binaries are absolute paths in the image filesystem that must be
	// executables for each platform, e.g. "/usr/local/bin/envoy". Optional.
	Binaries []string
	// Tags are moved to the manifest list once it is pushed and verified.
	Tags []string
	// Annotations go on the manifest list, e.g. the digest of the run's
	// inputs that a later run compares to skip an unchanged rebuild.
	Annotations map[string]string
	// Declared is what the image's Dockerfile sets in its config; each
	// platform image must match it, and the list records it. Optional.
	Declared *Declared
	// Attest are the attestations BuildKit attached to every platform
	// image, which then arrives as an index of the image and its
	// attestation manifest; both go into the list.
	Attest Attestations
}

// PlatformImage is a single-platform image manifest, pushed by digest.
type PlatformImage struct {
	Platform ocispecs.Platform
	Digest   v1.Hash
}

// Publisher verifies, assembles and publishes images through one registry.Access.
type Publisher struct {
	access *registry.Access
	jobs   int
	signer Signer
}

// SignWith signs every list Prepare pushes, and every manifest it holds
// (platform images, attestations), before any tag moves.
func (p *Publisher) SignWith(s Signer) { p.signer = s }

// New returns a Publisher that reaches registries through access.
func New(access *registry.Access) (*Publisher, error) {
	if access == nil {
		return nil, errors.New("publisher: registry access is nil")
	}
	return &Publisher{access: access, jobs: 4}, nil
}

// Publish prepares every image before it moves any tag, so a failure in one
// image (say an arm64 proxyv2 holding an amd64 envoy) leaves every tag of
// every image where it was. Results are in the order of images.
func (p *Publisher) Publish(ctx context.Context, images ...Image) ([]*Result, error) {
	return All(ctx, p, images, Options{})
}

// parse resolves the repository and validates the tags before anything is pushed.
func (p *Publisher) parse(img Image) (name.Repository, error) {
	repo, err := p.access.Repository(img.Repository)
	if err != nil {
		return repo, err
	}
	for _, t := range img.Tags {
		if _, err := name.NewTag(repo.Name()+":"+t, name.StrictValidation); err != nil {
			return repo, fmt.Errorf("parsing tag %q: %w", t, err)
		}
	}
	return repo, nil
}
