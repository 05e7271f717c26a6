package carry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/publish"
)

// maxManifest bounds an index or manifest read into memory, and the
// layout's index.json and contents file: registries refuse manifests
// past 4 MiB.
const maxManifest = 4 << 20

// Vet checks the layout at dir as a bundle from a less trusted side,
// reading it only, before anything reaches a registry; name is the bundle
// as the user gave it, for messages. Its form (bad input, exit 2): only
// directories and regular files with one name each, a contents file whose
// paths stay inside. Its content (verification, exit 5): the bundle's
// checksum (checksum.go) first; every blob that index.json names, and
// everything each references, is there with its declared size and sha256
// (but the layers a delta declares in its base); each layer expands within ExpansionLimit;
// every file, list, tag and platform the contents file lists is held.
// It returns the contents file.
func Vet(ctx context.Context, dir, name string) (Contents, error) {
	if err := checkTree(dir, name); err != nil {
		return Contents{}, err
	}
	if err := checkSum(dir, name); err != nil {
		return Contents{}, err
	}
	c, err := readContents(dir, name)
	if err != nil {
		return c, failure.Usage(err)
	}
	v := vetter{dir: dir, name: name, seen: map[seen]bool{}, inBase: c.inBase()}
	if len(v.inBase) > 0 && c.Base == nil {
		return c, v.fail("%s leaves layers to a base bundle but names none", ContentsFile)
	}
	if err := v.files(c); err != nil {
		return c, err
	}
	refs, err := v.walkLayout(ctx)
	if err != nil {
		return c, err
	}
	return c, v.lists(c, refs)
}

// vetter checks one layout's content.
type vetter struct {
	dir, name string
	seen      map[seen]bool    // blobs checked already, in a role
	inBase    map[v1.Hash]bool // layers a delta may lack
}

// seen is a blob in the role it was checked in: as a media type (an
// index's or a manifest's children were walked) or as a layer (its
// expansion was bounded). A blob named again in another role is checked
// again, so naming a layer as a config first cannot skip its bound.
type seen struct {
	digest v1.Hash
	as     string
}

// fail is a refusal of the layout's content: verification, exit 5.
func (v *vetter) fail(format string, args ...any) error {
	return failure.Verify(fmt.Errorf("checking bundle %s: %s: %s", v.name, fmt.Sprintf(format, args...), carryAgain))
}

// files checks every file the contents file lists: inside the bundle,
// there, with its sha256 and size.
func (v *vetter) files(c Contents) error {
	for _, want := range c.Files {
		if what := pathProblem(want.Path); what != "" {
			return failure.Usage(fmt.Errorf("checking bundle %s: %s lists the file %q, which %s: %s", v.name, ContentsFile, want.Path, what, carryAgain))
		}
		got, err := hashFile(filepath.Join(v.dir, want.Path))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return v.fail("%s lists %s, which the layout does not hold", ContentsFile, want.Path)
		case err != nil:
			return fmt.Errorf("checking bundle %s: %w", v.name, err)
		case got.SHA256 != want.SHA256 || got.Size != want.Size:
			return v.fail("%s holds sha256 %s (%d bytes), %s lists sha256 %s (%d bytes)", want.Path, got.SHA256, got.Size, ContentsFile, want.SHA256, want.Size)
		}
	}
	return nil
}

// walkLayout checks everything index.json names, and returns its named
// entries.
func (v *vetter) walkLayout(ctx context.Context) (map[string]v1.Descriptor, error) {
	raw, err := readBounded(filepath.Join(v.dir, "index.json"))
	if err != nil {
		return nil, failure.Usage(fmt.Errorf("checking bundle %s: %w: give an OCI layout written by istio-mab", v.name, err))
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, v.fail("index.json: %v", err)
	}
	refs := map[string]v1.Descriptor{}
	for i, d := range idx.Manifests {
		ref := d.Annotations[publish.RefNameAnnotation]
		if ref != "" {
			refs[ref] = d
		}
		if err := v.walk(ctx, d, "index.json "+entryName(d, ref, i)); err != nil {
			return nil, err
		}
	}
	return refs, nil
}

// readBounded reads a small file, refusing one past maxManifest.
func readBounded(path string) ([]byte, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Base(path), err)
	}
	if info.Size() > maxManifest {
		return nil, fmt.Errorf("%s holds %d bytes, more than the %d it may", filepath.Base(path), info.Size(), maxManifest)
	}
	return os.ReadFile(path)
}

// entryName names the i-th entry d of an index: its ref, platform or number.
func entryName(d v1.Descriptor, ref string, i int) string {
	switch {
	case ref != "":
		return ref
	case d.Platform != nil:
		return d.Platform.String()
	}
	return fmt.Sprintf("entry %d", i)
}

// walk checks the blob d and, for an index or a manifest, what it names;
// trail says how index.json reaches it.
func (v *vetter) walk(ctx context.Context, d v1.Descriptor, trail string) error {
	key := seen{d.Digest, string(d.MediaType)}
	if v.seen[key] {
		return nil
	}
	raw, err := v.blob(ctx, d, trail, false)
	if err != nil {
		return err
	}
	v.seen[key] = true
	switch {
	case d.MediaType.IsIndex():
		var im v1.IndexManifest
		if err := json.Unmarshal(raw, &im); err != nil {
			return v.fail("list %s (%s): %v", d.Digest, trail, err)
		}
		for i, c := range im.Manifests {
			if err := v.walk(ctx, c, trail+" → "+entryName(c, "", i)); err != nil {
				return err
			}
		}
	case d.MediaType.IsImage():
		return v.manifest(ctx, d, raw, trail)
	}
	return nil
}

// manifest checks an image manifest's config and layers.
func (v *vetter) manifest(ctx context.Context, d v1.Descriptor, raw []byte, trail string) error {
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return v.fail("manifest %s (%s): %v", d.Digest, trail, err)
	}
	if err := v.walk(ctx, m.Config, trail+" → config"); err != nil {
		return err
	}
	for i, l := range m.Layers {
		key := seen{l.Digest, "layer"}
		if v.seen[key] {
			continue
		}
		if _, err := v.blob(ctx, l, fmt.Sprintf("%s → layer %d", trail, i), true); err != nil {
			return err
		}
		v.seen[key] = true
	}
	return nil
}
