package carry

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/publish"
)

// craftLayout writes a layout as export writes one: the list pilot:1.22.0
// (addList, amd64 with extra layers), an istioctl archive under files/,
// and the contents file.
func craftLayout(t *testing.T, extra ...v1.Layer) (string, Contents) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	if _, err := layout.Write(dir, empty.Index); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "files", "istioctl-1.22.0-linux-amd64.tar.gz"), "istioctl")
	c := Contents{Version: "1.22.0", Hub: "registry.example/istio", Lists: []List{addList(t, dir, "pilot", extra...)}}
	var err error
	if c.Files, err = FilesIn(dir, "files"); err != nil {
		t.Fatal(err)
	}
	if err := WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	return dir, c
}

// addList writes a list of two random platform images (amd64 with extra
// layers on top) into the layout at dir as name:1.22.0.
func addList(t *testing.T, dir, name string, extra ...v1.Layer) List {
	t.Helper()
	amd, err := mutate.AppendLayers(platformImage(t, "amd64"), extra...)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: platformImage(t, "arm64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := layout.Path(dir).AppendIndex(idx, layout.WithAnnotations(map[string]string{publish.RefNameAnnotation: name + ":1.22.0"})); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	size, _ := idx.Size()
	m, _ := idx.IndexManifest()
	return List{Name: name, Digest: d, MediaType: types.OCIImageIndex, Size: size, Tags: []string{"1.22.0"}, Platforms: listPlatforms(*m)}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// bombLayer is a gzip layer of a tar holding n zero bytes.
func bombLayer(t *testing.T, n int64) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: n, Typeflag: tar.TypeReg})
	zeros := make([]byte, 1<<20)
	for left := n; left > 0; left -= int64(len(zeros)) {
		tw.Write(zeros[:min(left, int64(len(zeros)))])
	}
	tw.Close()
	gz.Close()
	return static.NewLayer(b.Bytes(), types.OCILayer)
}

// rewriteContents replaces dir's contents file with c, as another hand
// would: nothing checked.
func rewriteContents(t *testing.T, dir string, c Contents) {
	t.Helper()
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, ContentsFile), string(b))
}

// damage flips a bit in the middle of the blob d of the layout at dir.
func damage(t *testing.T, dir string, d v1.Hash) {
	t.Helper()
	b, err := os.ReadFile(blobPath(dir, d))
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	writeFile(t, blobPath(dir, d), string(b))
}

// blobPath is where the layout at dir holds d.
func blobPath(dir string, d v1.Hash) string { return filepath.Join(dir, "blobs", d.Algorithm, d.Hex) }

// layerOf is the first layer of the platform image arch of c's first list.
func layerOf(t *testing.T, dir string, c Contents, arch string) v1.Hash {
	t.Helper()
	return firstLayer(t, dir, c.Lists[0], arch)
}

// firstLayer is the first layer of the platform image arch of l.
func firstLayer(t *testing.T, dir string, l List, arch string) v1.Hash {
	t.Helper()
	root, err := layout.Path(dir).ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := root.ImageIndex(l.Digest)
	if err != nil {
		t.Fatal(err)
	}
	for _, pe := range l.Platforms {
		if pe.Platform == "linux/"+arch {
			img, err := idx.Image(pe.Digest)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := img.Manifest()
			return m.Layers[0].Digest
		}
	}
	t.Fatalf("no %s image", arch)
	return v1.Hash{}
}

// refusal fails unless err has the exit code and says each of want.
func refusal(t *testing.T, err error, code int, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want exit %d saying %q", code, want)
	}
	if got := failure.Code(err); got != code {
		t.Errorf("exit %d, want %d: %v", got, code, err)
	}
	for _, w := range append(want, "carry the bundle again") {
		if !bytes.Contains([]byte(err.Error()), []byte(w)) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
}
