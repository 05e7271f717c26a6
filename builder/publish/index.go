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

// NewIndex assembles a Docker manifest list from verified platform images.
//
// The list uses the Docker media type rather than the OCI index because
// every registry and runtime in use accepts it, including older ones that
// reject OCI indexes; so children must be Docker schema 2 manifests (BuildKit's
// image exporter default, oci-mediatypes=false). Entries are sorted by
// platform and carry only media type, size, digest and platform, so the same
// inputs always give the same digest; a child without a platform is refused,
// since some registries and clients require one on every entry.
func NewIndex(children []v1.Descriptor) (*Index, error) { return newIndex(children, nil) }

// newIndex is NewIndex with the list's own annotations (what it was built from).
func newIndex(children []v1.Descriptor, annotations map[string]string) (*Index, error) {
	if len(children) == 0 {
		return nil, errors.New("assembling manifest list: no platform images")
	}
	entries := make([]v1.Descriptor, len(children))
	for i, c := range children {
		if err := checkChild(c); err != nil {
			return nil, fmt.Errorf("assembling manifest list: %s: %w", c.Digest, err)
		}
		p := *c.Platform
		entries[i] = v1.Descriptor{MediaType: c.MediaType, Size: c.Size, Digest: c.Digest, Platform: &p}
	}
	sort.Slice(entries, func(i, j int) bool {
		return entries[i].Platform.String() < entries[j].Platform.String()
	})
	raw, err := json.Marshal(v1.IndexManifest{
		SchemaVersion: 2,
		MediaType:     types.DockerManifestList,
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
		Descriptor: v1.Descriptor{MediaType: types.DockerManifestList, Size: size, Digest: digest},
		Children:   entries,
		raw:        raw,
	}, nil
}

func checkChild(c v1.Descriptor) error {
	if c.Platform == nil || c.Platform.OS == "" || c.Platform.Architecture == "" {
		return errors.New("no platform")
	}
	if c.MediaType != types.DockerManifestSchema2 {
		return fmt.Errorf("media type %s cannot go in a Docker manifest list: build with oci-mediatypes=false", c.MediaType)
	}
	return nil
}

// RawManifest returns the list's bytes.
func (i *Index) RawManifest() ([]byte, error) { return i.raw, nil }

// MediaType returns types.DockerManifestList.
func (i *Index) MediaType() (types.MediaType, error) { return i.Descriptor.MediaType, nil }
