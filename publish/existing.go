package publish

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// ExistingIndex wraps a list's bytes as they are, made by istio-mab or by
// another tool (attestation entries included), so it is pushed and tagged
// with the same bytes and digest.
func ExistingIndex(raw []byte) (*Index, error) {
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, fmt.Errorf("reading manifest list: %w", err)
	}
	if !im.MediaType.IsIndex() {
		return nil, fmt.Errorf("reading manifest list: media type %q is not a list", im.MediaType)
	}
	digest, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	return &Index{
		Descriptor: v1.Descriptor{MediaType: im.MediaType, Size: size, Digest: digest},
		Children:   im.Manifests,
		raw:        raw,
	}, nil
}

// IsAttestation says whether a list entry is BuildKit's attestation
// manifest (SBOM, provenance) rather than a platform image.
func IsAttestation(d v1.Descriptor) bool {
	return d.Annotations["vnd.docker.reference.type"] == "attestation-manifest"
}

// Adopt checks a list already written by digest to repo (imported or
// mirrored): every platform image as Verify does (attestation entries
// only resolved), and the list served complete. It returns the list
// prepared for MoveTags; nothing is tagged.
func (p *Publisher) Adopt(ctx context.Context, repo string, idx *Index, binaries, tags []string) (*Prepared, error) {
	img := Image{Repository: repo, Binaries: binaries, Tags: tags}
	for _, c := range idx.Children {
		if !IsAttestation(c) && c.Platform != nil {
			img.Platforms = append(img.Platforms, PlatformImage{Platform: FromV1(*c.Platform), Digest: c.Digest})
		}
	}
	r, err := p.parse(img)
	if err != nil {
		return nil, err
	}
	got, infos, err := p.verify(ctx, r, img)
	if err != nil {
		return nil, err
	}
	for i, d := range got {
		if d.Digest != img.Platforms[i].Digest {
			return nil, fmt.Errorf("verifying %s: %s read back as %s", r, img.Platforms[i].Digest, d.Digest)
		}
	}
	if err := p.confirm(ctx, r.Digest(idx.Descriptor.Digest.String()), idx); err != nil {
		return nil, err
	}
	return &Prepared{Repository: r, Index: idx, Tags: tags, Platforms: infos}, nil
}

// Reference is repo as the publisher's registry access parses it (plain
// HTTP only for hosts the user named).
func (p *Publisher) Reference(repo string) (name.Repository, error) {
	return p.access.Repository(repo)
}
