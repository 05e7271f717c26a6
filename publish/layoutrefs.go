package publish

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"slices"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// RefNameAnnotation names an entry of an OCI layout's index.json, as
// skopeo's oci:DIR:NAME and containerd read it.
const RefNameAnnotation = "org.opencontainers.image.ref.name"

// SetLayoutRefs points each ref of index.json at desc, one entry per ref,
// and returns what each ref pointed at before (zero when new). index.json
// is replaced whole by a rename, so a reader sees the old refs or the new.
func SetLayoutRefs(p layout.Path, desc v1.Descriptor, refs []string) ([]v1.Hash, error) {
	file := filepath.Join(string(p), "index.json")
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("reading %s: %w", file, err)
	}
	prev := make([]v1.Hash, len(refs))
	kept := idx.Manifests[:0]
	for _, m := range idx.Manifests {
		i := slices.Index(refs, m.Annotations[RefNameAnnotation])
		if i < 0 {
			kept = append(kept, m)
			continue
		}
		prev[i] = m.Digest
	}
	idx.Manifests = kept
	for _, r := range refs {
		e := v1.Descriptor{MediaType: desc.MediaType, Size: desc.Size, Digest: desc.Digest, Annotations: map[string]string{RefNameAnnotation: r}}
		idx.Manifests = append(idx.Manifests, e)
	}
	if idx.MediaType == "" {
		idx.MediaType = types.OCIImageIndex
	}
	out, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, err
	}
	return prev, fsutil.WriteFileAtomic(file, out)
}

// LayoutRefs lists index.json's named entries: ref name -> descriptor.
func LayoutRefs(p layout.Path) (map[string]v1.Descriptor, error) {
	idx, err := p.ImageIndex()
	if err != nil {
		return nil, fmt.Errorf("reading %s/index.json: %w", p, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, fmt.Errorf("reading %s/index.json: %w", p, err)
	}
	out := map[string]v1.Descriptor{}
	for _, m := range im.Manifests {
		if r := m.Annotations[RefNameAnnotation]; r != "" {
			out[r] = m
		}
	}
	return out, nil
}

// CheckLayoutTree reads desc and everything it references from the layout
// (children of a list, config and layers of a manifest), checking each
// blob's size and sha256, so a list is named only once all of it is there.
func CheckLayoutTree(p layout.Path, desc v1.Descriptor) error {
	return CheckLayoutTreeExcept(p, desc, nil)
}

// CheckLayoutTreeExcept is CheckLayoutTree but for the layers named in
// absent, which may be missing (a delta bundle's, held by its base).
func CheckLayoutTreeExcept(p layout.Path, desc v1.Descriptor, absent map[v1.Hash]bool) error {
	raw, err := readBlob(p, desc)
	if err != nil {
		return err
	}
	switch {
	case desc.MediaType.IsIndex():
		var im v1.IndexManifest
		if err := json.Unmarshal(raw, &im); err != nil {
			return fmt.Errorf("list %s: %w", desc.Digest, err)
		}
		for _, c := range im.Manifests {
			if err := CheckLayoutTreeExcept(p, c, absent); err != nil {
				return err
			}
		}
	case desc.MediaType.IsImage():
		var m v1.Manifest
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("manifest %s: %w", desc.Digest, err)
		}
		if _, err := readBlob(p, m.Config); err != nil {
			return err
		}
		for _, b := range m.Layers {
			if _, err := readBlob(p, b); err != nil && !(absent[b.Digest] && !layoutHas(p, b.Digest)) {
				return err
			}
		}
	}
	return nil
}

// readBlob reads a blob and checks its size and digest; layers are hashed
// as they stream, manifests and configs are returned.
func readBlob(p layout.Path, d v1.Descriptor) ([]byte, error) {
	rc, err := p.Blob(d.Digest)
	if err != nil {
		return nil, fmt.Errorf("blob %s is missing from the layout: %w", d.Digest, err)
	}
	defer rc.Close()
	var buf bytes.Buffer
	w := io.Writer(&buf)
	if !d.MediaType.IsIndex() && !d.MediaType.IsImage() && !d.MediaType.IsConfig() {
		w = io.Discard
	}
	h, n, err := v1.SHA256(io.TeeReader(rc, w))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", d.Digest, err)
	}
	if h != d.Digest || n != d.Size {
		return nil, fmt.Errorf("blob %s in the layout has digest %s and %d bytes, want %d: remove it and write the layout again", d.Digest, h, n, d.Size)
	}
	return buf.Bytes(), nil
}

// layoutHas says whether the layout at p holds the blob d.
func layoutHas(p layout.Path, d v1.Hash) bool {
	_, err := os.Lstat(filepath.Join(string(p), "blobs", d.Algorithm, d.Hex))
	return err == nil
}
