package build

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestLibraryProgram: a program of its own (examples/rebuild) builds the
// fixture through the library alone, and publishes both lists.
func TestLibraryProgram(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	cmd := exec.CommandContext(t.Context(), "go", "run", "github.com/istio-mab/istio-mab/examples/rebuild", "-version", "1.22.0", "-hub", hub,
		"-source", s.GitURL, "-buildkit", s.BuildkitHost, "-go-image", s.GoImage, "-base-registry", s.BaseRegistry,
		"-envoy-base-url", s.EnvoyBaseURL, "-insecure-registry", s.Registry)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("examples/rebuild: %v\n%s", err, stderrOf(err))
	}
	for _, image := range []string{"pilot", "proxyv2"} {
		if !strings.Contains(string(out), hub+"/"+image+"@sha256:") || !strings.Contains(string(out), "2 platforms") {
			t.Errorf("examples/rebuild printed\n%s\nwant %s/%s with 2 platforms", out, hub, image)
		}
		e2etest.CheckImage(t, hub+"/"+image+":1.22.0", image, "1.22.0")
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
