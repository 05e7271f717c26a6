package carry

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// writesRegistry is an in-process registry counting the requests that
// write (anything but GET and HEAD).
func writesRegistry(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var writes atomic.Int64
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			writes.Add(1)
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), &writes
}

// pushList pushes pilot:1.22.0 of amd and arm to repo and returns it.
func pushList(t *testing.T, repo string, amd, arm v1.Image) v1.ImageIndex {
	t.Helper()
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	ref, _ := name.NewTag(repo+":1.22.0", name.Insecure)
	if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return idx
}

func layersOf(t *testing.T, img v1.Image) []v1.Hash {
	t.Helper()
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []v1.Hash
	for _, l := range m.Layers {
		out = append(out, l.Digest)
	}
	return out
}

// A rebuild exported --since the first export leaves out the layers the
// first carried and keeps its new one; imported onto the first's import it
// gives the rebuild's list digest, never reading the left-out layers;
// imported alone it fails before any write, naming the base.
func TestDeltaExportAndImport(t *testing.T) {
	src := newRegistry(t)
	dst, writes := writesRegistry(t)
	a := access(t, src, dst)
	amd, arm := platformImage(t, "amd64"), platformImage(t, "arm64")
	pushList(t, src+"/istio/pilot", amd, arm)
	rel := Release{Version: "1.22.0", Hub: src + "/istio", Images: release(src + "/istio").Images[:1]}
	rel.Images[0].Tags = []string{"1.22.0"}
	baseDir := filepath.Join(t.TempDir(), "base")
	if _, _, err := ToLayout(t.Context(), a, rel, baseDir, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	base, err := ReadBase(baseDir)
	if err != nil {
		t.Fatal(err)
	}

	extra, _ := random.Layer(256, types.OCILayer)
	amd2, _ := mutate.AppendLayers(amd, extra)
	rebuilt := pushList(t, src+"/istio/pilot", amd2, arm)
	deltaDir := filepath.Join(t.TempDir(), "delta")
	if _, _, err := ToLayout(t.Context(), a, rel, deltaDir, CopyOptions{Since: &base}); err != nil {
		t.Fatal(err)
	}
	c, err := Vet(t.Context(), deltaDir, "delta")
	if err != nil {
		t.Fatalf("vetting the delta: %v", err)
	}
	shared := append(layersOf(t, amd), layersOf(t, arm)...)
	if got := c.Lists[0].InBase; len(got) != len(shared) {
		t.Errorf("in base: %v, want the %d layers the base carried", got, len(shared))
	}
	for _, d := range shared {
		if _, err := os.Stat(blobPath(deltaDir, d)); err == nil {
			t.Errorf("the delta holds the base's layer %s", d)
		}
	}
	newLayer, _ := extra.Digest()
	if _, err := os.Stat(blobPath(deltaDir, newLayer)); err != nil {
		t.Errorf("the delta lacks its new layer: %v", err)
	}
	if c.Base == nil || c.Base.Checksum != base.Checksum || c.Base.Version != "1.22.0" {
		t.Errorf("the delta names the base %+v, want checksum %s", c.Base, base.Checksum)
	}

	_, err = Import(t.Context(), deltaDir, dst+"/internal", a, ImportOptions{Bundle: "delta.tar"})
	checkCode(t, err, failure.CodeUsage, "bundle delta.tar is a delta on Istio 1.22.0 (checksum "+base.Checksum+")", "import that base bundle")
	if n := writes.Load(); n != 0 {
		t.Errorf("%d writes reached the registry before the refusal", n)
	}

	if _, err := Import(t.Context(), baseDir, dst+"/internal", a, ImportOptions{}); err != nil {
		t.Fatalf("importing the base: %v", err)
	}
	res, err := Import(t.Context(), deltaDir, dst+"/internal", a, ImportOptions{})
	if err != nil {
		t.Fatalf("importing the delta onto the base: %v", err)
	}
	if want, _ := rebuilt.Digest(); res.Lists[0].Index.Digest != want {
		t.Errorf("imported %s, the rebuild is %s", res.Lists[0].Index.Digest, want)
	}
}

// Vet lets a delta lack the layers its contents file declares in the base,
// and no other.
func TestVetRefusesALayerMissingThatIsNotInBase(t *testing.T) {
	dir, c := craftLayout(t)
	layers := []v1.Hash{layerOf(t, dir, c, "amd64"), layerOf(t, dir, c, "arm64")}
	c.Lists[0].InBase = layers[:1]
	c.Base = &Base{Version: "1.21.0", Checksum: strings.Repeat("ab", 32)}
	if err := WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	os.Remove(blobPath(dir, layers[0]))
	forge(t, dir)
	if _, err := Vet(t.Context(), dir, "bundle"); err != nil {
		t.Fatalf("a layer declared in the base: %v", err)
	}
	os.Remove(blobPath(dir, layers[1]))
	forge(t, dir)
	_, err := Vet(t.Context(), dir, "bundle")
	refusal(t, err, failure.CodeVerify, "blob "+layers[1].String(), "is missing from the layout")
}

// ReadBase takes a bundle's directory, tarball or contents file, and
// refuses one that does not list its blobs.
func TestReadBase(t *testing.T) {
	dir, _ := craftLayout(t)
	tarball := filepath.Join(t.TempDir(), "b.tar")
	if err := Pack(dir, tarball); err != nil {
		t.Fatal(err)
	}
	for _, from := range []string{dir, tarball, filepath.Join(dir, ContentsFile)} {
		c, err := ReadBase(from)
		if err != nil || len(c.Checksum) != 64 || c.Checksum == zeroSum || len(c.Lists[0].Blobs) == 0 {
			t.Errorf("%s: %+v, %v", from, c, err)
		}
	}
	c, _ := ReadContents(dir)
	c.Lists[0].Blobs = nil
	rewriteContents(t, dir, c)
	if _, err := ReadBase(dir); err == nil || !strings.Contains(err.Error(), "does not list the blobs of pilot") {
		t.Errorf("a contents file without blobs: %v", err)
	}
}
