package carry

import (
	"bytes"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/zstd"

	"github.com/istio-mab/istio-mab/internal/failure"
)

func TestVetAcceptsWhatExportWrites(t *testing.T) {
	dir, want := craftLayout(t, bombLayer(t, 1<<20)) // 1 MiB of zeros: within the floor
	c, err := Vet(t.Context(), dir, "bundle")
	if err != nil {
		t.Fatal(err)
	}
	if c.Lists[0].Digest != want.Lists[0].Digest {
		t.Errorf("contents %+v, want %+v", c, want)
	}
}

// Each change to a good layout is refused with its exit code, naming what.
func TestVetRefusesAlteredLayouts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		alter func(t *testing.T, dir string, c Contents) []string // what the refusal must say
		code  int
	}{
		{"a layer's bytes changed", func(t *testing.T, dir string, c Contents) []string {
			l := layerOf(t, dir, c, "arm64")
			damage(t, dir, l)
			return []string{"blob " + l.String(), "pilot:1.22.0 → linux/arm64 → layer 0", "altered or damaged"}
		}, failure.CodeVerify},
		{"a layer cut short", func(t *testing.T, dir string, c Contents) []string {
			l := layerOf(t, dir, c, "amd64")
			b, _ := os.ReadFile(blobPath(dir, l))
			writeFile(t, blobPath(dir, l), string(b[:10]))
			return []string{"blob " + l.String(), "holds 10 bytes"}
		}, failure.CodeVerify},
		{"the list names a missing manifest", func(t *testing.T, dir string, c Contents) []string {
			d := c.Lists[0].Platforms[1].Digest
			os.Remove(blobPath(dir, d))
			return []string{"blob " + d.String(), "pilot:1.22.0 → linux/arm64", "is missing from the layout"}
		}, failure.CodeVerify},
		{"index.json names a missing list", func(t *testing.T, dir string, c Contents) []string {
			os.Remove(blobPath(dir, c.Lists[0].Digest))
			return []string{"blob " + c.Lists[0].Digest.String(), "(index.json pilot:1.22.0)", "is missing"}
		}, failure.CodeVerify},
		{"the contents file lists a list index.json lacks", func(t *testing.T, dir string, c Contents) []string {
			other := c.Lists[0]
			other.Name, other.Digest = "proxyv2", v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
			c.Lists = append(c.Lists, other)
			rewriteContents(t, dir, c)
			return []string{"istio-mab.json lists proxyv2:1.22.0 as " + other.Digest.String() + " (", "), which index.json does not name"}
		}, failure.CodeVerify},
		{"the contents file lists a tag index.json lacks", func(t *testing.T, dir string, c Contents) []string {
			c.Lists[0].Tags = append(c.Lists[0].Tags, "1.22.0-debug")
			rewriteContents(t, dir, c)
			return []string{"lists pilot:1.22.0-debug as"}
		}, failure.CodeVerify},
		{"the contents file lists another platform image", func(t *testing.T, dir string, c Contents) []string {
			c.Lists[0].Platforms[0].Digest = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
			rewriteContents(t, dir, c)
			return []string{"istio-mab.json lists pilot@", "linux/amd64=sha256:0000"}
		}, failure.CodeVerify},
		{"the contents file lists a file the layout lacks", func(t *testing.T, dir string, c Contents) []string {
			os.Remove(filepath.Join(dir, c.Files[0].Path))
			return []string{"istio-mab.json lists files/istioctl-1.22.0-linux-amd64.tar.gz, which the layout does not hold"}
		}, failure.CodeVerify},
		{"a file changed", func(t *testing.T, dir string, c Contents) []string {
			writeFile(t, filepath.Join(dir, c.Files[0].Path), "istioctM")
			return []string{"files/istioctl-1.22.0-linux-amd64.tar.gz holds sha256"}
		}, failure.CodeVerify},
		{"the contents file names a file outside", func(t *testing.T, dir string, c Contents) []string {
			c.Files = append(c.Files, File{Path: "../canary", SHA256: strings.Repeat("0", 64)})
			rewriteContents(t, dir, c)
			return []string{`lists the file "../canary", which leaves the bundle`}
		}, failure.CodeUsage},
		{"the contents file names an absolute path", func(t *testing.T, dir string, c Contents) []string {
			c.Files = append(c.Files, File{Path: "/etc/hostname"})
			rewriteContents(t, dir, c)
			return []string{`"/etc/hostname", which is an absolute path`}
		}, failure.CodeUsage},
		{"no contents file", func(t *testing.T, dir string, c Contents) []string {
			os.Remove(filepath.Join(dir, ContentsFile))
			return []string{"bundle has no istio-mab.json"}
		}, failure.CodeUsage},
		{"a contents file of 5 MiB", func(t *testing.T, dir string, c Contents) []string {
			writeFile(t, filepath.Join(dir, ContentsFile), strings.Repeat(" ", 5<<20))
			return []string{"istio-mab.json holds 5242880 bytes, more than the 4194304 it may"}
		}, failure.CodeUsage},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, c := craftLayout(t)
			want := tc.alter(t, dir, c)
			forge(t, dir) // the checksum is another check (checksum_test.go)
			_, err := Vet(t.Context(), dir, "bundle")
			if tc.code == failure.CodeUsage && strings.Contains(tc.name, "contents file of") || strings.HasPrefix(tc.name, "no contents") {
				checkCode(t, err, tc.code, want...) // bad input with no layout to carry again
				return
			}
			refusal(t, err, tc.code, want...)
		})
	}
}

func checkCode(t *testing.T, err error, code int, want ...string) {
	t.Helper()
	if err == nil || failure.Code(err) != code {
		t.Fatalf("got %v (exit %d), want exit %d", err, failure.Code(err), code)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not say %q", err, w)
		}
	}
}

// A gzip or zstd layer expanding past ExpansionLimit is refused before
// anything decompresses it further; one within it passes (above).
func TestVetRefusesDecompressionBombs(t *testing.T) {
	n := int64(ExpansionFloor + 1<<20)
	zeros := make([]byte, n)
	enc, _ := zstd.NewWriter(nil)
	for name, l := range map[string]v1.Layer{
		"gzip": bombLayer(t, n),
		"zstd": static.NewLayer(enc.EncodeAll(zeros, nil), types.OCILayerZStd),
	} {
		t.Run(name, func(t *testing.T) {
			d, _ := l.Digest()
			size, _ := l.Size()
			if size*ExpansionRatio > n {
				t.Fatalf("the bomb's %d bytes may expand %d times: no bomb", size, ExpansionRatio)
			}
			dir, _ := craftLayout(t, l)
			_, err := Vet(t.Context(), dir, "bundle")
			refusal(t, err, failure.CodeVerify, "layer "+d.String(), "→ linux/amd64 → layer 1", "a decompression bomb")
		})
	}
}

func TestExpansionLimit(t *testing.T) {
	for size, want := range map[int64]int64{0: ExpansionFloor, 1 << 10: ExpansionFloor, 1 << 20: 100 << 20, 1 << 30: 100 << 30, 1 << 62: 1<<63 - 1} {
		if got := ExpansionLimit(size); got != want {
			t.Errorf("ExpansionLimit(%d) = %d, want %d", size, got, want)
		}
	}
}

// Import vets the whole layout before its first request: a layout whose
// second list has a damaged layer sends the registry nothing (the first
// list, sound, is not pushed either); the good one pushes.
func TestImportReachesNoRegistryBeforeVetting(t *testing.T) {
	var requests atomic.Int64
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	a := access(t, host)

	dir, c := craftLayout(t)
	c.Lists = append(c.Lists, addList(t, dir, "proxyv2"))
	if err := WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	l := firstLayer(t, dir, c.Lists[1], "arm64")
	damage(t, dir, l)
	forge(t, dir)
	_, err := Import(t.Context(), dir, host+"/internal", a, ImportOptions{Bundle: "istio.tar"})
	refusal(t, err, failure.CodeVerify, "checking bundle istio.tar: blob "+l.String())
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests reached the registry before the refusal", n)
	}

	good, _ := craftLayout(t)
	if _, err := Import(t.Context(), good, host+"/internal", a, ImportOptions{}); err != nil || requests.Load() == 0 {
		t.Errorf("good layout: %v after %d requests", err, requests.Load())
	}
}

// A layer named first as another manifest's config is still bounded when
// it comes as a layer: a blob is checked again in each role.
func TestVetBoundsALayerNamedFirstAsAConfig(t *testing.T) {
	dir, c := craftLayout(t)
	bomb := bombLayer(t, ExpansionFloor+1<<20)
	raw, _ := bomb.Compressed()
	bombBytes, _ := io.ReadAll(raw)
	bd, _ := bomb.Digest()
	asConfig := v1.Descriptor{MediaType: types.OCIConfigJSON, Digest: bd, Size: int64(len(bombBytes))}
	asLayer := asConfig
	asLayer.MediaType = types.OCILayer
	small := writeBlob(t, dir, types.OCIConfigJSON, []byte("{}"))
	first := writeBlob(t, dir, types.OCIManifestSchema1, mustJSON(t, v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: asConfig}))
	second := writeBlob(t, dir, types.OCIManifestSchema1, mustJSON(t, v1.Manifest{SchemaVersion: 2, MediaType: types.OCIManifestSchema1, Config: small, Layers: []v1.Descriptor{asLayer}}))
	writeBlob(t, dir, "", bombBytes)
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{first, second}}
	list := writeBlob(t, dir, types.OCIImageIndex, mustJSON(t, idx))
	list.Annotations = map[string]string{"org.opencontainers.image.ref.name": "other:1"}
	root := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex, Manifests: []v1.Descriptor{list}}
	writeFile(t, filepath.Join(dir, "index.json"), string(mustJSON(t, root)))
	c.Lists = nil
	c.Lists = append(c.Lists, List{Name: "other", Digest: list.Digest, MediaType: list.MediaType, Size: list.Size, Tags: []string{"1"}})
	rewriteContents(t, dir, c)
	forge(t, dir)
	_, err := Vet(t.Context(), dir, "bundle")
	refusal(t, err, failure.CodeVerify, "layer "+bd.String(), "(index.json other:1 → entry 1 → layer 0)", "a decompression bomb")
}

func writeBlob(t *testing.T, dir string, mt types.MediaType, b []byte) v1.Descriptor {
	t.Helper()
	h, n, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, blobPath(dir, h), string(b))
	return v1.Descriptor{MediaType: mt, Digest: h, Size: n}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
