package publish

import (
	"archive/tar"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// buildkitTarball writes what BuildKit's OCI exporter writes for one
// platform image: an OCI layout tarball holding it, into the sink's target.
func buildkitTarball(t *testing.T, s *Layout, repo, plat string) (PlatformImage, v1.Image) {
	t.Helper()
	pl := platforms.MustParse(plat)
	l, err := random.Layer(256, types.OCILayer)
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), l)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = pl.OS, pl.Architecture
	cfg.Config.User, cfg.Config.Entrypoint = "1337:1337", []string{"/usr/local/bin/pilot-discovery"} // as upstream
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	lp, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	if err := lp.AppendImage(img); err != nil {
		t.Fatal(err)
	}
	target, err := s.Target(repo, pl)
	if err != nil {
		t.Fatal(err)
	}
	tarDir(t, dir, target.File)
	d, _ := img.Digest()
	return PlatformImage{Platform: pl, Digest: d}, img
}

func platformTarball(t *testing.T, s *Layout, repo, plat string) PlatformImage {
	pi, _ := buildkitTarball(t, s, repo, plat)
	return pi
}

func tarDir(t *testing.T, dir string, w io.WriteCloser) {
	t.Helper()
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if err := tw.WriteHeader(&tar.Header{Name: rel, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
}

func TestLayoutSink(t *testing.T) {
	dir, hub := t.TempDir()+"/out", "registry.example.com/istio"
	l, err := NewLayout(dir, t.TempDir(), hub)
	if err != nil {
		t.Fatal(err)
	}
	repo := hub + "/pilot"
	img := Image{Repository: repo, Tags: []string{"1.22.0", "1.22.0-debug"}, Platforms: []PlatformImage{
		platformTarball(t, l, repo, "linux/amd64"), platformTarball(t, l, repo, "linux/arm64"),
	}}
	results, err := All(t.Context(), l, []Image{img}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := results[0].Index
	if want.MediaType != types.OCIImageIndex {
		t.Errorf("list media type %s, want an OCI index", want.MediaType)
	}
	refs, err := LayoutRefs(layout.Path(dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{"pilot:1.22.0", "pilot:1.22.0-debug"} {
		if refs[r].Digest != want.Digest {
			t.Errorf("ref %s -> %s, want %s", r, refs[r].Digest, want.Digest)
		}
	}
	if err := CheckLayoutTree(layout.Path(dir), refs["pilot:1.22.0"]); err != nil {
		t.Fatal(err)
	}
	// The layout reads as any OCI layout: the named list and its images.
	ii, err := layout.ImageIndexFromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	list, err := ii.ImageIndex(want.Digest)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := list.IndexManifest()
	for i, c := range im.Manifests {
		if c.Digest != img.Platforms[i].Digest || c.Platform == nil || c.Platform.Architecture != img.Platforms[i].Platform.Architecture {
			t.Errorf("entry %d: %s %v, want %s", i, c.Digest, c.Platform, img.Platforms[i].Digest)
		}
	}

	// Writing again moves nothing and says so.
	again, err := All(t.Context(), l, []Image{img}, Options{})
	if err != nil || again[0].Tags[0].Moved || again[0].Tags[0].Previous != want.Digest {
		t.Fatalf("second write: %+v, %v; want the tags unmoved", again, err)
	}
}

// TestLayoutRefStaysOnIncompleteList: a list one of whose blobs is damaged
// in the layout is refused before its ref moves.
func TestLayoutRefStaysOnIncompleteList(t *testing.T) {
	dir, hub := t.TempDir()+"/out", "registry.example.com/istio"
	l, err := NewLayout(dir, t.TempDir(), hub)
	if err != nil {
		t.Fatal(err)
	}
	repo := hub + "/pilot"
	img := Image{Repository: repo, Tags: []string{"1.22.0"}, Platforms: []PlatformImage{platformTarball(t, l, repo, "linux/amd64")}}
	first, err := All(t.Context(), l, []Image{img}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pi, im := buildkitTarball(t, l, repo, "linux/amd64")
	img.Platforms = []PlatformImage{pi}
	// The new layer is "already there" at its size, but its bytes are wrong,
	// as after a crash mid-copy; a layout writer skips such a blob.
	layers, _ := im.Layers()
	d, _ := layers[0].Digest()
	size, _ := layers[0].Size()
	if err := os.WriteFile(filepath.Join(dir, "blobs", "sha256", d.Hex), make([]byte, size), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := All(t.Context(), l, []Image{img}, Options{}); err == nil || !strings.Contains(err.Error(), "remove it and write the layout again") {
		t.Fatalf("got %v, want the damaged blob named", err)
	}
	refs, _ := LayoutRefs(layout.Path(dir))
	if refs["pilot:1.22.0"].Digest != first[0].Index.Digest {
		t.Fatalf("ref moved to %s after a failed write", refs["pilot:1.22.0"].Digest)
	}
}
