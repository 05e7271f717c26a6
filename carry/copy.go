package carry

import (
	"context"
	"crypto"
	"fmt"
	"github.com/istio-mab/istio-mab/plan"

	"github.com/containerd/platforms"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
)

// CopyOptions shape a copy of lists out of a registry (export, mirror).
type CopyOptions struct {
	// Platforms keep only these platforms of each list (and the
	// attestations of those); the list is then a new one, whose digest
	// differs from the source's. Default: every entry, bytes unchanged.
	Platforms []ocispecs.Platform
	// Require refuses, before anything is written, a list without an image
	// for each of these platforms; attestation entries (unknown/unknown)
	// never count as one. Default: Platforms.
	Require []ocispecs.Platform
	// VerifyKey, when set, must have signed every list and each manifest
	// it holds at the source; checked before anything is written.
	VerifyKey crypto.PublicKey
	// Since, when set, makes a layout a delta on this previous bundle
	// (its contents file): the layers it carried under a list's name
	// are left out (ToLayout). Default: a full bundle.
	Since *Contents
	publish.Options
}

// Stats count what a copy did.
type Stats struct {
	Copied  int // lists written to the destination
	Present int // lists the destination held complete already
}

// destination is where copied lists go: a registry hub or an OCI layout.
type destination interface {
	// adopt writes idx (read from src) unless it is there complete, checks
	// it, and returns it ready for tagging, and whether it was written.
	adopt(ctx context.Context, src string, idx v1.ImageIndex, img publish.Image) (*publish.Prepared, bool, error)
	MoveTags(ctx context.Context, pr *publish.Prepared) (*publish.Result, error)
}

// copier is the publish.Stages of a copy: images name source repositories.
type copier struct {
	access *registry.Access
	dest   destination
	o      CopyOptions
	stats  Stats
}

func (c *copier) Prepare(ctx context.Context, img publish.Image) (*publish.Prepared, error) {
	repo, err := c.access.Repository(img.Repository)
	if err != nil {
		return nil, err
	}
	idx, tags, err := readList(ctx, c.access, repo, img.Tags)
	if err != nil {
		return nil, err
	}
	if len(c.o.Platforms) > 0 {
		if idx, err = subset(idx, c.o.Platforms); err != nil {
			return nil, fmt.Errorf("%s:%s: %w", repo, tags[0], err)
		}
	}
	if err := requirePlatforms(idx, c.required()); err != nil {
		return nil, fmt.Errorf("%s:%s: %w", repo, tags[0], err)
	}
	img.Tags = tags
	pr, copied, err := c.dest.adopt(ctx, img.Repository, idx, img)
	if err != nil {
		return nil, err
	}
	if copied {
		c.stats.Copied++
	} else {
		c.stats.Present++
	}
	return pr, nil
}

func (c *copier) required() []ocispecs.Platform {
	if len(c.o.Require) > 0 {
		return c.o.Require
	}
	return c.o.Platforms
}

// requirePlatforms fails unless idx has a platform image for each of want.
func requirePlatforms(idx v1.ImageIndex, want []ocispecs.Platform) error {
	m, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, w := range want {
		found := false
		for _, d := range m.Manifests {
			found = found || (d.Platform != nil && !publish.IsAttestation(d) && platforms.Only(w).Match(publish.FromV1(*d.Platform)))
		}
		if !found {
			return fmt.Errorf("the list has no image for %s (attestations aside): it is not a complete release, nothing copied", platforms.Format(w))
		}
	}
	return nil
}

func (c *copier) MoveTags(ctx context.Context, pr *publish.Prepared) (*publish.Result, error) {
	return c.dest.MoveTags(ctx, pr)
}

// subset keeps the entries for the given platforms and the attestations
// that refer to them.
func subset(idx v1.ImageIndex, keep []ocispecs.Platform) (v1.ImageIndex, error) {
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	kept := map[v1.Hash]bool{}
	for _, d := range m.Manifests {
		if d.Platform != nil && !publish.IsAttestation(d) && platforms.Any(keep...).Match(publish.FromV1(*d.Platform)) {
			kept[d.Digest] = true
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("no entry for %s: see the list's platforms with skopeo inspect --raw", plan.FormatAll(keep))
	}
	return mutate.RemoveManifests(idx, func(d v1.Descriptor) bool {
		if publish.IsAttestation(d) {
			ref, _ := v1.NewHash(d.Annotations["vnd.docker.reference.digest"])
			return !kept[ref]
		}
		return !kept[d.Digest]
	}), nil
}
