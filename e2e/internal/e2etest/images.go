package e2etest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// walkImage calls fn for each named file in the image's flattened
// filesystem (whiteouts applied), reading layers without running anything.
func walkImage(t *testing.T, img v1.Image, paths []string, fn func(path string, h *tar.Header, r io.Reader)) {
	t.Helper()
	want := map[string]bool{}
	for _, p := range paths {
		want[strings.TrimPrefix(p, "/")] = true
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.TrimPrefix(h.Name, "./"); want[p] {
			fn("/"+p, h, tr)
		}
	}
}

// ImageModes reads the permission bits of the named files.
func ImageModes(t *testing.T, img v1.Image, paths ...string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	walkImage(t, img, paths, func(p string, h *tar.Header, _ io.Reader) { out[p] = h.Mode & 0o777 })
	return out
}

// ImageFiles reads the named files; each must exist.
func ImageFiles(t *testing.T, img v1.Image, paths ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	walkImage(t, img, paths, func(p string, _ *tar.Header, r io.Reader) {
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	})
	for _, p := range paths {
		if _, ok := out[p]; !ok {
			t.Errorf("image has no %s", p)
		}
	}
	return out
}

// imageBinaries are what each image must carry for its platform.
var imageBinaries = map[string][]string{
	"pilot":   {"/usr/local/bin/pilot-discovery"},
	"proxyv2": {"/usr/local/bin/pilot-agent", "/usr/local/bin/envoy"},
}

// CheckImage asserts ref is a manifest list of exactly linux/amd64 and
// linux/arm64, each entry with its platform, matching configs and binaries.
func CheckImage(t *testing.T, ref, image, version string) v1.Hash {
	t.Helper()
	idx := RemoteIndex(t, ref)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue // TestBuildAttested checks them
		}
		if d.Platform == nil {
			t.Fatalf("%s: entry %s has no platform", ref, d.Digest)
		}
		got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkPlatformImage(t, img, image, version, *d.Platform)
	}
	slices.Sort(got)
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(got, want) {
		t.Errorf("%s: platforms %v, want %v", ref, got, want)
	}
	digest, _ := idx.Digest()
	return digest
}

func checkPlatformImage(t *testing.T, img v1.Image, image, version string, pl v1.Platform) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != pl.OS || cfg.Architecture != pl.Architecture {
		t.Errorf("%s %s: config says %s/%s", image, pl, cfg.OS, cfg.Architecture)
	}
	checkConfig(t, image, pl, cfg.Config)
	files := ImageFiles(t, img, imageBinaries[image]...)
	checkLayerLevel(t, img, imageBinaries[image]...)
	for path, b := range files {
		if got := BinaryPlatform(b); got != pl.OS+"/"+pl.Architecture {
			t.Errorf("%s %s: %s is for %s", image, pl, path, got)
		}
	}
	if image == "pilot" && pl.Architecture == "arm64" {
		CheckVersionUnderQEMU(t, files["/usr/local/bin/pilot-discovery"], version)
	}
}

// checkConfig compares USER, ENTRYPOINT and ENV with the fixture's
// Dockerfiles, which are upstream's: proxyv2 sets no USER.
func checkConfig(t *testing.T, image string, pl v1.Platform, c v1.Config) {
	t.Helper()
	entry := map[string]string{"pilot": "/usr/local/bin/pilot-discovery", "proxyv2": "/usr/local/bin/pilot-agent"}[image]
	user := map[string]string{"pilot": "1337:1337", "proxyv2": ""}[image]
	if c.User != user || !slices.Equal(c.Entrypoint, []string{entry}) {
		t.Errorf("%s %s: user %q entrypoint %q, want %q [%s]", image, pl, c.User, c.Entrypoint, user, entry)
	}
	if image == "proxyv2" && !slices.ContainsFunc(c.Env, func(e string) bool {
		return strings.HasPrefix(e, "ISTIO_META_ISTIO_PROXY_SHA=") && len(e) > len("ISTIO_META_ISTIO_PROXY_SHA=")+30
	}) {
		t.Errorf("proxyv2 %s: env %q lacks ISTIO_META_ISTIO_PROXY_SHA with the proxy SHA", pl, c.Env)
	}
}

// CheckVersionUnderQEMU runs the arm64 binary through user-mode emulation.
func CheckVersionUnderQEMU(t *testing.T, bin []byte, version string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pilot-discovery")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "qemu-aarch64-static", path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("running an arm64 binary under QEMU: %v\n%s", err, out)
	}
	for _, want := range []string{"version=" + version, "arch=arm64", "os=linux"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("arm64 binary's version printed %q, want %q in it", out, want)
		}
	}
}

// layerGzipLevel is builder/image.LayerCompressionLevel: the e2e tests
// check the pushed bytes, not the constant.
const layerGzipLevel = 4

// checkLayerLevel asserts every layer of img holding one of paths is its own
// content gzipped by Go at layerGzipLevel with a zero header, as BuildKit
// writes it with compression-level: so the level istio-mab asks for is the
// level pushed.
func checkLayerLevel(t *testing.T, img v1.Image, paths ...string) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, l := range layers {
		raw := uncompressedLayer(t, l)
		if !holdsAny(t, raw, paths) {
			continue
		}
		checked++
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, layerGzipLevel) // a valid level never fails
		gz.Write(raw)
		gz.Close()
		sum := sha256.Sum256(buf.Bytes())
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(sum[:]); got != d.Hex {
			t.Errorf("layer %s is not its content at gzip level %d (that gives sha256:%s)", d, layerGzipLevel, got)
		}
	}
	if checked == 0 {
		t.Errorf("no layer holds any of %v", paths)
	}
}

func uncompressedLayer(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func holdsAny(t *testing.T, layerTar []byte, paths []string) bool {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(layerTar))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(paths, "/"+strings.TrimPrefix(h.Name, "./")) {
			return true
		}
	}
}
