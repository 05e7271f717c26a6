package build

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// TestBuild114 is the user's own example: Istio 1.14.3, for which upstream
// has no arm64 Envoy, rebuilt for amd64 and arm64 with a supplied Envoy.
func TestBuild114(t *testing.T) {
	s := e2etest.LoadStack(t)
	sha := e2etest.ProxySHA(t, "1.14.3")
	tarballURL := s.EnvoyBaseURL + "/" + fixture.EnvoyTarball(sha, "arm64")
	arm64Bin := download(t, s.EnvoyBaseURL+"/"+fixture.EnvoyBinary(sha, "arm64"))
	amd64Bin := download(t, s.EnvoyBaseURL+"/"+fixture.EnvoyBinary(sha, "amd64"))

	t.Run("refused without --envoy", func(t *testing.T) {
		e2etest.Refuses(t, s, e2etest.StackArgs(s, "1.14.3", e2etest.UniqueHub(s), t.TempDir()),
			"no upstream Envoy for linux/arm64 in Istio 1.14: supply one with --envoy linux/arm64=")
	})
	forms := map[string]string{
		"URL":   tarballURL,
		"file":  arm64Bin,
		"image": communityProxy(t, s, sha),
	}
	for form, source := range forms {
		t.Run("--envoy "+form, func(t *testing.T) {
			hub, dist := e2etest.UniqueHub(s), t.TempDir()
			// Plain progress: rawjson would base64 the compile's own output.
			res := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.14.3", hub, dist), "--envoy", "linux/arm64="+source, "--progress", "plain")...)
			if res.Code != 0 {
				t.Fatalf("exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 30))
			}
			e2etest.CheckImage(t, hub+"/pilot:1.14.3", "pilot", "1.14.3")
			e2etest.CheckImage(t, hub+"/proxyv2:1.14.3", "proxyv2", "1.14.3")
			checkEnvoyIs(t, hub+"/proxyv2:1.14.3", "arm64", fileSHA256(t, arm64Bin))
			if form == "URL" {
				checkWasmReadable(t, hub+"/proxyv2:1.14.3")
				e2etest.CheckArchives(t, dist, "1.14.3", false)
				if !strings.Contains(res.Stderr, "linking with -checklinkname=0") {
					t.Error("the Go 1.23+ linkname fix was not shown in the build output")
				}
			}
		})
	}
	t.Run("wrong --envoy-sha256 refused before any push", func(t *testing.T) {
		zero := strings.Repeat("0", 64)
		for form, source := range forms {
			args := append(e2etest.StackArgs(s, "1.14.3", e2etest.UniqueHub(s), t.TempDir()), "--envoy", "linux/arm64="+source, "--envoy-sha256", "linux/arm64="+zero)
			t.Run(form, func(t *testing.T) { e2etest.Refuses(t, s, args, "--envoy-sha256") })
		}
	})
	t.Run("x86-64 file given for arm64 refused before any push", func(t *testing.T) {
		args := append(e2etest.StackArgs(s, "1.14.3", e2etest.UniqueHub(s), t.TempDir()), "--envoy", "linux/arm64="+amd64Bin)
		e2etest.Refuses(t, s, args, "ELF binary is for linux/amd64, want linux/arm64")
	})
}

// download saves url to a temp file, as a user would save an Envoy build.
func download(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %v", url, err, resp)
	}
	defer resp.Body.Close()
	path := filepath.Join(t.TempDir(), filepath.Base(url))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(f, resp.Body); err != nil {
		t.Fatal(err)
	}
	return path
}

func fileSHA256(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkEnvoyIs asserts the arch image of ref carries exactly the supplied Envoy.
func checkEnvoyIs(t *testing.T, ref, arch, wantSHA string) {
	t.Helper()
	idx := e2etest.RemoteIndex(t, ref)
	m, _ := idx.IndexManifest()
	for _, d := range m.Manifests {
		if d.Platform.Architecture != arch {
			continue
		}
		img, _ := idx.Image(d.Digest)
		b := e2etest.ImageFiles(t, img, "/usr/local/bin/envoy")["/usr/local/bin/envoy"]
		sum := sha256.Sum256(b)
		if got := hex.EncodeToString(sum[:]); got != wantSHA {
			t.Errorf("%s %s envoy sha256 %s, want the supplied %s", ref, arch, got, wantSHA)
		}
	}
}

// checkWasmReadable: Envoy runs as uid 1337 and must read the filters.
func checkWasmReadable(t *testing.T, ref string) {
	t.Helper()
	var paths []string
	for _, f := range []string{"stats-filter", "metadata-exchange-filter"} {
		for _, ext := range []string{".wasm", ".compiled.wasm"} {
			paths = append(paths, "/etc/istio/extensions/"+f+ext)
		}
	}
	idx := e2etest.RemoteIndex(t, ref)
	m, _ := idx.IndexManifest()
	img, _ := idx.Image(m.Manifests[0].Digest)
	modes := e2etest.ImageModes(t, img, paths...)
	for _, p := range paths {
		if mode, ok := modes[p]; !ok || mode&0o004 == 0 {
			t.Errorf("%s: %s mode %o (present %t), want world-readable", ref, p, mode, ok)
		}
	}
}
