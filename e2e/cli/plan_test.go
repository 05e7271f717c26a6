package cli

import (
	"encoding/json"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestPlanWithoutDaemon: `plan` of a directory source needs no BuildKit
// daemon, prints JSON, and resolves --hub myreg to Docker Hub.
func TestPlanWithoutDaemon(t *testing.T) {
	dir := e2etest.FixtureCopy(t, "1.22.0")
	res := e2etest.RunIstioMab(t, "plan", "--version", "1.22.0", "--hub", "myreg", "--source", dir,
		"--buildkit-addr", "unix:///nonexistent/buildkitd.sock", "--build-platform", "linux/arm64", "--output", "json")
	if res.Code != 0 {
		t.Fatalf("plan exited %d:\n%s", res.Code, res.Stderr)
	}
	var p struct {
		Hub           string
		BuildPlatform struct{ Architecture string }
		Facts         struct{ ProxySHA string }
		Binaries      []struct{ Name string }
		Images        []struct{ Repository string }
	}
	if err := json.Unmarshal([]byte(res.Stdout), &p); err != nil {
		t.Fatalf("plan --output json is not JSON: %v\n%s", err, res.Stdout)
	}
	if p.Hub != "docker.io/myreg" || p.BuildPlatform.Architecture != "arm64" || p.Facts.ProxySHA == "" || len(p.Binaries) != 10 || len(p.Images) != 2 {
		t.Errorf("plan %+v: want hub docker.io/myreg, compiles on arm64, the proxy SHA, 10 binaries, 2 images", p)
	}
	if p.Images[0].Repository != "docker.io/myreg/pilot" {
		t.Errorf("first image goes to %s, want docker.io/myreg/pilot", p.Images[0].Repository)
	}
}

// TestPlanGoChoice: --go picks the Go builder image, and the plan says which.
func TestPlanGoChoice(t *testing.T) {
	dir := e2etest.FixtureCopy(t, "1.22.0")
	for choice, want := range map[string]string{
		"minor":    "docker.io/library/golang:1.22",
		"upstream": "docker.io/library/golang:1.22.2", // what upstream built 1.22.0 with
		"1.22.12":  "docker.io/library/golang:1.22.12",
	} {
		res := e2etest.RunIstioMab(t, "plan", "--version", "1.22.0", "--hub", "myreg", "--source", dir, "--go", choice,
			"--buildkit-addr", "unix:///nonexistent/buildkitd.sock", "--output", "json")
		var p struct{ GoImage string }
		if err := json.Unmarshal([]byte(res.Stdout), &p); res.Code != 0 || err != nil || p.GoImage != want {
			t.Errorf("--go %s: exit %d, go image %q, want %q\n%s", choice, res.Code, p.GoImage, want, res.Stderr)
		}
	}
}
