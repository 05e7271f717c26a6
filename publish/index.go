package publish

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Index is a manifest list ready to push: its exact bytes and descriptor.
// It implements remote.Taggable, so the same bytes go to the digest and to
// every tag.
type Index struct {
	// Descriptor is the list's own digest, size and media type.
	Descriptor v1.Descriptor
	// Children are the entries, sorted by platform, each with its platform.
	Children []v1.Descriptor
	raw      []byte
}

// NewIndex assembles a manifest list from verified platform images: an OCI
// image index when the children are OCI manifests (--media-types oci, what
// an OCI layout carries with every digest unchanged), a Docker manifest list
// when they are Docker schema 2 manifests (--media-types docker, for
// registries that reject OCI indexes). The children decide, so a list never
// mixes the two, which registries and skopeo refuse.
//
// Entries are sorted by platform and carry only media type, size, digest
// and platform, so the same inputs always give the same digest; a child
// without a platform is refused, since some registries and clients require
// one on every entry.
func NewIndex(children []v1.Descriptor) (*Index, error) { return newIndex(children, nil) }

// newIndex is NewIndex with the list's own annotations (what it was built from).
func newIndex(children []v1.Descriptor, annotations map[string]string) (*Index, error) {
	if len(children) == 0 {
		return nil, errors.New("assembling manifest list: no platform images")
	}
	listType, err := listMediaType(children)
	if err != nil {
		return nil, fmt.Errorf("assembling manifest list: %w", err)
	}
	entries := make([]v1.Descriptor, len(children))
	for i, c := range children {
		if c.Platform == nil || c.Platform.OS == "" || c.Platform.Architecture == "" {
			return nil, fmt.Errorf("assembling manifest list: %s: no platform", c.Digest)
		}
		p := *c.Platform
		entries[i] = v1.Descriptor{MediaType: c.MediaType, Size: c.Size, Digest: c.Digest, Platform: &p}
		if IsAttestation(c) {
			entries[i].Annotations = c.Annotations // which image it attests
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entryKey(entries, i) < entryKey(entries, j) })
	raw, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     listType,
		Manifests:     entries,
		Annotations:   annotations,
	})
	if err != nil {
		return nil, fmt.Errorf("assembling manifest list: %w", err)
	}
	digest, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("assembling manifest list: %w", err)
	}
	return &Index{
		Descriptor: v1.Descriptor{MediaType: listType, Size: size, Digest: digest},
		Children:   entries,
		raw:        raw,
	}, nil
}

// listMediaType is the list type matching every child's manifest type.
func listMediaType(children []v1.Descriptor) (types.MediaType, error) {
	lists := map[types.MediaType]types.MediaType{
		types.OCIManifestSchema1:    types.OCIImageIndex,
		types.DockerManifestSchema2: types.DockerManifestList,
	}
	want, ok := lists[children[0].MediaType]
	for _, c := range children {
		if lists[c.MediaType] != want || !ok {
			return "", fmt.Errorf("%s is %s, %s is %s: build every platform with the same --media-types", children[0].Digest, children[0].MediaType, c.Digest, c.MediaType)
		}
	}
	return want, nil
}

// RawManifest returns the list's bytes.
func (i *Index) RawManifest() ([]byte, error) { return i.raw, nil }

// MediaType returns the list's media type: OCI index or Docker manifest list.
func (i *Index) MediaType() (types.MediaType, error) { return i.Descriptor.MediaType, nil }

// entryKey orders a list: platform images by platform, then each
// attestation manifest after them, in the order of the images it attests.
func entryKey(entries []v1.Descriptor, i int) string {
	e := entries[i]
	if !IsAttestation(e) {
		return "0 " + e.Platform.String()
	}
	for _, o := range entries {
		if o.Digest.String() == e.Annotations["vnd.docker.reference.digest"] {
			return "1 " + o.Platform.String() + " " + e.Digest.String()
		}
	}
	return "2 " + e.Digest.String()
}
