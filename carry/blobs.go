package carry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/publish"
)

// tree is what one descriptor reaches in a layout.
type tree struct {
	all    map[v1.Hash]bool // every blob: indexes, manifests, configs, layers
	layers map[v1.Hash]bool // the layers among them
}

func newTree() tree { return tree{all: map[v1.Hash]bool{}, layers: map[v1.Hash]bool{}} }

// walk adds d and all it reaches in the layout at p. Only indexes and
// manifests are read, so a delta's absent layers are named all the same.
func (t tree) walk(p layout.Path, d v1.Descriptor) error {
	if t.all[d.Digest] {
		return nil
	}
	t.all[d.Digest] = true
	if !d.MediaType.IsIndex() && !d.MediaType.IsImage() {
		return nil
	}
	raw, err := p.Bytes(d.Digest)
	if err != nil {
		return err
	}
	if d.MediaType.IsIndex() {
		var im v1.IndexManifest
		if err := json.Unmarshal(raw, &im); err != nil {
			return fmt.Errorf("list %s: %w", d.Digest, err)
		}
		for _, c := range im.Manifests {
			if err := t.walk(p, c); err != nil {
				return err
			}
		}
		return nil
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("manifest %s: %w", d.Digest, err)
	}
	t.all[m.Config.Digest] = true
	for _, l := range m.Layers {
		t.all[l.Digest], t.layers[l.Digest] = true, true
	}
	return nil
}

func sorted(set map[v1.Hash]bool) []v1.Hash {
	out := make([]v1.Hash, 0, len(set))
	for d := range set {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b v1.Hash) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// recordBlobs lists, for each list of c, every blob it and its signatures
// reach in the layout at dir.
func recordBlobs(dir string, c *Contents) error {
	p := layout.Path(dir)
	for i := range c.Lists {
		l := &c.Lists[i]
		t := newTree()
		if err := t.walk(p, l.Descriptor()); err != nil {
			return fmt.Errorf("%s@%s: %w", l.Name, l.Digest, err)
		}
		for _, s := range l.Signatures {
			if err := t.walk(p, v1.Descriptor{Digest: s.Digest, Size: s.Size, MediaType: types.MediaType(s.Type)}); err != nil {
				return fmt.Errorf("%s: %w", s.Ref, err)
			}
		}
		l.Blobs = sorted(t.all)
	}
	return nil
}

// LeaveOut makes the layout at dir a delta on base: it removes each layer
// that base carried under the same list name, records those in the list's
// InBase, and names base in c. A layer stays when any list whose base
// lacks it needs it, or a signature does, so every layer a delta lacks is
// in the registry repository its list is pushed to once the base was
// imported.
func LeaveOut(dir string, c *Contents, base Contents) error {
	held := map[string]map[v1.Hash]bool{}
	for _, l := range base.Lists {
		if held[l.Name] == nil {
			held[l.Name] = map[v1.Hash]bool{}
		}
		for _, d := range l.Blobs {
			held[l.Name][d] = true
		}
	}
	p := layout.Path(dir)
	drop, keep, err := otherLayers(p, *c)
	if err != nil {
		return err
	}
	for i := range c.Lists {
		l := &c.Lists[i]
		t := newTree()
		if err := t.walk(p, l.Descriptor()); err != nil {
			return fmt.Errorf("%s@%s: %w", l.Name, l.Digest, err)
		}
		l.InBase = nil
		for _, d := range sorted(t.layers) {
			if held[l.Name][d] {
				l.InBase, drop[d] = append(l.InBase, d), true
			} else {
				keep[d] = true
			}
		}
	}
	for d := range drop {
		if keep[d] {
			continue
		}
		err := os.Remove(filepath.Join(dir, "blobs", d.Algorithm, d.Hex))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	c.Base = &Base{Version: base.Version, Checksum: base.Checksum}
	return nil
}

// otherLayers are the layers of what index.json names besides c's lists
// (signatures), which a delta keeps whole, and an empty set to drop.
func otherLayers(p layout.Path, c Contents) (drop, keep map[v1.Hash]bool, err error) {
	refs, err := publish.LayoutRefs(p)
	if err != nil {
		return nil, nil, err
	}
	lists := map[v1.Hash]bool{}
	for _, l := range c.Lists {
		lists[l.Digest] = true
	}
	t := newTree()
	for ref, d := range refs {
		if lists[d.Digest] {
			continue
		}
		if err := t.walk(p, d); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", ref, err)
		}
	}
	return map[v1.Hash]bool{}, t.layers, nil
}

// inBase is the set of layers c's lists rely on the base for.
func (c Contents) inBase() map[v1.Hash]bool {
	out := map[v1.Hash]bool{}
	for _, l := range c.Lists {
		for _, d := range l.InBase {
			out[d] = true
		}
	}
	return out
}
