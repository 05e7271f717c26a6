package publish

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/sign"
)

// LayoutSignatures is the OCI layout at p as a sign.Store: cosign's
// signature and attestation images and the OCI referrers fallback index
// are named NAME:TAG in index.json (sha256-<hex>.sig, .att, sha256-<hex>),
// NAME relative to hub as the lists are, so import pushes them as tags.
func LayoutSignatures(p layout.Path, hub string) sign.Store {
	return layoutStore{path: p, hub: strings.TrimSuffix(hub, "/")}
}

type layoutStore struct {
	path layout.Path
	hub  string
}

func (s layoutStore) ref(tag name.Tag) string {
	return RefName(s.hub, tag.Context()) + ":" + tag.TagStr()
}

func (s layoutStore) named(tag name.Tag) (v1.Descriptor, error) {
	refs, err := LayoutRefs(s.path)
	if err != nil {
		return v1.Descriptor{}, err
	}
	d, ok := refs[s.ref(tag)]
	if !ok {
		return v1.Descriptor{}, fmt.Errorf("%w: %s in %s", sign.ErrNotFound, s.ref(tag), s.path)
	}
	return d, nil
}

func (s layoutStore) Tagged(tag name.Tag) (v1.Image, error) {
	d, err := s.named(tag)
	if err != nil {
		return nil, err
	}
	return s.path.Image(d.Digest)
}

func (s layoutStore) WriteTagged(tag name.Tag, img v1.Image) error {
	if err := s.path.WriteImage(img); err != nil {
		return err
	}
	d, err := partial.Descriptor(img)
	if err != nil {
		return err
	}
	_, err = SetLayoutRefs(s.path, *d, []string{s.ref(tag)})
	return err
}

func (s layoutStore) Referrers(d name.Digest) (v1.ImageIndex, error) {
	desc, err := s.named(fallbackTag(d))
	if errors.Is(err, sign.ErrNotFound) {
		return empty.Index, nil
	}
	if err != nil {
		return nil, err
	}
	root, err := s.path.ImageIndex()
	if err != nil {
		return nil, err
	}
	return root.ImageIndex(desc.Digest)
}

// WriteReferrer writes img and adds it to d's fallback index, as the OCI
// distribution spec's referrers tag schema keeps it.
func (s layoutStore) WriteReferrer(d name.Digest, img v1.Image) error {
	if err := s.path.WriteImage(img); err != nil {
		return err
	}
	desc, err := referrerDescriptor(img)
	if err != nil {
		return err
	}
	idx, err := s.Referrers(d)
	if err != nil {
		return err
	}
	if im, err := idx.IndexManifest(); err != nil {
		return err
	} else {
		for _, m := range im.Manifests {
			if m.Digest == desc.Digest {
				return nil
			}
		}
	}
	idx = mutate.AppendManifests(mutate.IndexMediaType(idx, types.OCIImageIndex), mutate.IndexAddendum{Add: img, Descriptor: desc})
	if err := s.path.WriteIndex(idx); err != nil {
		return err
	}
	id, err := partial.Descriptor(idx)
	if err != nil {
		return err
	}
	_, err = SetLayoutRefs(s.path, *id, []string{s.ref(fallbackTag(d))})
	return err
}

// Image reads any manifest of the layout by digest: a list's child or a
// referrer is not named in index.json, where layout.Path looks.
func (s layoutStore) Image(d name.Digest) (v1.Image, error) {
	h, err := v1.NewHash(d.DigestStr())
	if err != nil {
		return nil, err
	}
	raw, err := s.path.Bytes(h)
	if err != nil {
		return nil, err
	}
	return partial.CompressedToImage(blobImage{path: s.path, manifest: raw})
}

// blobImage is a manifest of a layout read from its blobs.
type blobImage struct {
	path     layout.Path
	manifest []byte
}

func (b blobImage) RawManifest() ([]byte, error) { return b.manifest, nil }

func (b blobImage) MediaType() (types.MediaType, error) {
	m, err := v1.ParseManifest(bytes.NewReader(b.manifest))
	if err != nil {
		return "", err
	}
	return m.MediaType, nil
}

func (b blobImage) RawConfigFile() ([]byte, error) {
	m, err := v1.ParseManifest(bytes.NewReader(b.manifest))
	if err != nil {
		return nil, err
	}
	return b.path.Bytes(m.Config.Digest)
}

func (b blobImage) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	m, err := v1.ParseManifest(bytes.NewReader(b.manifest))
	if err != nil {
		return nil, err
	}
	for _, l := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		if l.Digest == h {
			return blobLayer{path: b.path, desc: l}, nil
		}
	}
	return nil, fmt.Errorf("manifest has no blob %s", h)
}

type blobLayer struct {
	path layout.Path
	desc v1.Descriptor
}

func (l blobLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l blobLayer) Compressed() (io.ReadCloser, error)  { return l.path.Blob(l.desc.Digest) }
func (l blobLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l blobLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }

// fallbackTag is the OCI referrers tag schema's name for d's referrers.
func fallbackTag(d name.Digest) name.Tag {
	return d.Context().Tag(strings.Replace(d.DigestStr(), ":", "-", 1))
}

// referrerDescriptor is img's entry in a referrers index: its artifact
// type and annotations, as the referrers API reports them.
func referrerDescriptor(img v1.Image) (v1.Descriptor, error) {
	d, err := partial.Descriptor(img)
	if err != nil {
		return v1.Descriptor{}, err
	}
	m, err := img.Manifest()
	if err != nil {
		return v1.Descriptor{}, err
	}
	d.ArtifactType = m.ArtifactType
	if d.ArtifactType == "" {
		d.ArtifactType = string(m.Config.MediaType)
	}
	d.Annotations = m.Annotations
	return *d, nil
}
