package build

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildImagesOnly: --istioctl none, as a scheduled image refresh wants,
// compiles no istioctl (by BuildKit's own record of every step, cached or
// not) and still verifies and tags both lists.
func TestBuildImagesOnly(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub, dist := e2etest.UniqueHub(s), t.TempDir()
	start := time.Now()
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", hub, dist), "--istioctl", "none"))
	e2etest.CheckImage(t, hub+"/pilot:1.22.0", "pilot", "1.22.0")
	e2etest.CheckImage(t, hub+"/proxyv2:1.22.0", "proxyv2", "1.22.0")
	names := e2etest.VertexNames(t, s.BuildkitHost, start)
	compiles := 0
	for _, n := range names {
		if strings.HasPrefix(n, "compile ") {
			compiles++
		}
		if strings.HasPrefix(n, "compile istioctl") {
			t.Errorf("an images-only build ran %q", n)
		}
	}
	if compiles == 0 {
		t.Fatalf("BuildKit's history of the run shows no compile step among %d: the check would prove nothing", len(names))
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 0 {
		t.Errorf("an images-only build wrote %d files into --dist", len(entries))
	}
}

// TestBuildTagStampsBinaries: with --tag other than --version, the rebuilt
// binaries say the pushed tag is their version (Istio installs
// <hub>/pilot:<version>), and the release's tag is still their git tag.
func TestBuildTagStampsBinaries(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub, dist := e2etest.UniqueHub(s), t.TempDir()
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", hub, dist), "--tag", "1.22.0-arm", "--istioctl", "linux/amd64"))
	e2etest.CheckImage(t, hub+"/pilot:1.22.0-arm", "pilot", "1.22.0-arm") // pilot-discovery's version, arm64 under QEMU
	bin := filepath.Join(t.TempDir(), "istioctl")
	if err := os.WriteFile(bin, e2etest.ArchiveBinary(t, filepath.Join(dist, "istioctl-1.22.0-linux-amd64.tar.gz")), 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), bin, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("istioctl version: %v\n%s", err, out)
	}
	for _, want := range []string{"version=1.22.0-arm ", "tag=1.22.0 ", "hub=" + hub} {
		if !strings.Contains(string(out), want) {
			t.Errorf("istioctl version printed %q, want %q in it", out, want)
		}
	}
	if entries, _ := os.ReadDir(dist); len(entries) != 2 {
		t.Errorf("--istioctl linux/amd64 wrote %d files, want one archive and its .sha256", len(entries))
	}
}
