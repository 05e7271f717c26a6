package faults

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestFaultDistNotWritable (case 18): archives are written after every list
// is verified and pushed by digest but before any tag moves, so --dist
// unwritable, or full while the archives are written, moves no tag.
func TestFaultDistNotWritable(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct{ dist, message string }{
		"unwritable": {filepath.Join(notDir, "dist"), "not a directory"},
		"disk full":  {smallDisk(t), "no space left on device"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			res, moved := e.run(t, "--dist", c.dist)
			requireUnchanged(t, res, moved)
			if line := errorLine(res); !strings.Contains(line, c.message) {
				t.Errorf("error %q does not contain %q", line, c.message)
			}
			if n := e.proxy.Count(http.MethodPut, manifestPath+"[^s]"); n != 0 {
				t.Errorf("%d tag PUTs before the archives were written", n)
			}
		})
	}
}

// smallDisk mounts a 256 KiB tmpfs, smaller than one istioctl archive.
func smallDisk(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Fatalf("mounting a small tmpfs (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestFaultArm64ImageWithAmd64Binary (case 10): a Dockerfile that puts an
// x86-64 executable at pilot-discovery in every platform's image is refused
// when the arm64 image is verified, before any list or tag is written.
func TestFaultArm64ImageWithAmd64Binary(t *testing.T) {
	e := newFaultEnv(t)
	src := e2etest.FixtureCopy(t, "1.22.0")
	df := filepath.Join(src, "pilot/docker/Dockerfile.pilot")
	e2etest.InsertBefore(t, df, "# hadolint", "FROM --platform=linux/amd64 ${ISTIO_BASE_REGISTRY}/base:${BASE_VERSION} as amd64base\n")
	e2etest.InsertBefore(t, df, "USER ", "COPY --from=amd64base /bin/busybox /usr/local/bin/pilot-discovery\n")
	res, moved := e.run(t, "--source", src)
	requireUnchanged(t, res, moved)
	if line := errorLine(res); !strings.Contains(line, "linux/arm64") || !strings.Contains(line, "pilot-discovery") {
		t.Errorf("error %q names neither the platform nor the binary", line)
	}
	for _, r := range e.proxy.Requests() {
		if r.Method == http.MethodPut && types.MediaType(r.Header.Get("Content-Type")).IsIndex() {
			t.Errorf("a manifest list was PUT to %s", r.Path)
		}
	}
}
