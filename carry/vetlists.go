package carry

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/publish"
)

// lists checks that index.json names every list of c under each of its
// tags, and that each list holds the platform images c records. Run after
// walkLayout, which checked every blob index.json reaches.
func (v *vetter) lists(c Contents, refs map[string]v1.Descriptor) error {
	for _, l := range c.Lists {
		if len(l.Tags) == 0 {
			return v.fail("%s lists %s@%s with no tag", ContentsFile, l.Name, l.Digest)
		}
		for _, tag := range l.Tags {
			ref := l.Name + ":" + tag
			if d, ok := refs[ref]; !ok || d.Digest != l.Digest || d.Size != l.Size || d.MediaType != l.MediaType {
				return v.fail("%s lists %s as %s (%s, %d bytes), which index.json does not name", ContentsFile, ref, l.Digest, l.MediaType, l.Size)
			}
		}
		got, err := v.platforms(l.Digest)
		if err != nil {
			return err
		}
		if !slices.Equal(got, l.Platforms) {
			return v.fail("%s lists %s@%s with %v, the list holds %v", ContentsFile, l.Name, l.Digest, l.Platforms, got)
		}
	}
	return nil
}

// platforms are the platform images of the list blob d, attestations left out.
func (v *vetter) platforms(d v1.Hash) ([]PlatformEntry, error) {
	raw, err := readBounded(filepath.Join(v.dir, "blobs", d.Algorithm, d.Hex))
	if err != nil {
		return nil, v.fail("list %s: %v", d, err)
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(raw, &im); err != nil {
		return nil, v.fail("list %s: %v", d, err)
	}
	return listPlatforms(im), nil
}

// listPlatforms are m's platform images, as a contents file records them.
func listPlatforms(m v1.IndexManifest) []PlatformEntry {
	var out []PlatformEntry
	for _, c := range m.Manifests {
		if c.Platform != nil && !publish.IsAttestation(c) {
			out = append(out, PlatformEntry{Platform: platformString(c.Platform), Digest: c.Digest})
		}
	}
	return out
}

// String names the platform image in messages.
func (p PlatformEntry) String() string { return fmt.Sprintf("%s=%s", p.Platform, p.Digest) }
