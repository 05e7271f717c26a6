package e2e

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemo runs `make demo`, the README's first command: Istio 1.14.3 for
// amd64 and arm64 with the arm64 Envoy supplied, archives under dist/.
func TestDemo(t *testing.T) {
	s := stack(t)
	root := repoRoot(t)
	cmd := exec.CommandContext(t.Context(), "make", "-C", root, "demo", "PROGRESS=quiet")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, tail(string(out), 30))
	}
	for _, image := range []string{"pilot", "proxyv2"} {
		ref := s.Registry + "/demo/istio/" + image
		if !strings.Contains(string(out), ref) {
			t.Errorf("summary does not list %s:\n%s", ref, tail(string(out), 30))
		}
		checkImage(t, ref+":1.14.3", image, "1.14.3")
	}
	checkDemoArchives(t, filepath.Join(root, "dist"), "1.14.3")
}

func checkDemoArchives(t *testing.T, dist, version string) {
	t.Helper()
	for name, platform := range upstreamArchives(version, false) {
		if err := checkArchiveFile(filepath.Join(dist, name), platform); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
