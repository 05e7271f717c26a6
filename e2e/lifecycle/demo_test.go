package lifecycle

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestDemo runs `make demo`, CONTRIBUTING.md's first command: Istio 1.14.3 for
// amd64 and arm64 with the arm64 Envoy supplied, archives under dist/.
func TestDemo(t *testing.T) {
	s := e2etest.LoadStack(t)
	root := e2etest.RepoRoot(t)
	cmd := exec.CommandContext(t.Context(), "make", "-C", root, "demo", "PROGRESS=quiet")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, e2etest.Tail(string(out), 30))
	}
	for _, image := range []string{"pilot", "proxyv2"} {
		ref := s.Registry + "/demo/istio/" + image
		if !strings.Contains(string(out), ref) {
			t.Errorf("summary does not list %s:\n%s", ref, e2etest.Tail(string(out), 30))
		}
		e2etest.CheckImage(t, ref+":1.14.3", image, "1.14.3")
	}
	checkDemoArchives(t, filepath.Join(root, "dist"), "1.14.3")
}

func checkDemoArchives(t *testing.T, dist, version string) {
	t.Helper()
	for name, platform := range e2etest.UpstreamArchives(version, false) {
		if err := e2etest.CheckArchiveFile(filepath.Join(dist, name), platform); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
