package lock

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/plan"
)

const baseKey = "gcr.io/istio-release/base:1.22-dev"

func lockedPlan() plan.Plan {
	ip := func(arch, digest string) plan.ImagePlatform {
		return plan.ImagePlatform{
			Platform: platforms.MustParse("linux/" + arch),
			Envoy:    &plan.Envoy{Kind: plan.EnvoyURL, Ref: "https://mirror.example.com/envoy-" + arch + ".tar.gz", Tarball: true},
			Bases:    map[string]string{baseKey: "docker-image://mirror.example.com/base:1.22-dev@sha256:" + digest},
		}
	}
	return plan.Plan{
		Version: "1.22.0",
		Facts:   plan.Facts{Commit: "abc", GoSum: "123"},
		Nodes:   []plan.Node{{Address: "unix:///b.sock", GoImage: "golang:1.22@sha256:0"}},
		Images: []plan.Image{{
			Name:      "proxyv2",
			Platforms: []plan.ImagePlatform{ip("amd64", "aa"), ip("arm64", "aa")},
			Wasm:      []plan.Download{{URL: "https://mirror.example.com/stats.wasm", Name: "stats-filter.wasm"}},
		}},
	}
}

func sums() map[string]string {
	return map[string]string{
		"https://mirror.example.com/envoy-amd64.tar.gz": "e1",
		"https://mirror.example.com/envoy-arm64.tar.gz": "e2",
		"https://mirror.example.com/stats.wasm":         "w1",
	}
}

func TestLockRoundTripPinsDownloads(t *testing.T) {
	l, err := Of(lockedPlan(), "1.22", sums())
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Bases) != 2 || len(l.Envoys) != 2 || len(l.Wasm) != 1 || l.Wasm[0].SHA256 != "w1" {
		t.Fatalf("lock %+v", l)
	}
	var buf bytes.Buffer
	if err := Write(&buf, l); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "lock.json")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	read, err := Read(file)
	if err != nil {
		t.Fatal(err)
	}
	p := lockedPlan()
	got, err := Apply(p, "1.22", read)
	if err != nil {
		t.Fatal(err)
	}
	img := got.Images[0]
	if img.Platforms[0].Envoy.SHA256 != "e1" || img.Platforms[1].Envoy.SHA256 != "e2" || img.Wasm[0].SHA256 != "w1" {
		t.Errorf("downloads not pinned: %+v %+v %+v", img.Platforms[0].Envoy, img.Platforms[1].Envoy, img.Wasm)
	}
	if p.Images[0].Platforms[0].Envoy.SHA256 != "" || p.Images[0].Wasm[0].SHA256 != "" {
		t.Error("Apply changed the plan it was given")
	}
}

// TestApplyAcceptsMirrors: the same inputs from internal mirrors (other
// registry, other download URLs, same digests) are the locked inputs.
func TestApplyAcceptsMirrors(t *testing.T) {
	l, err := Of(lockedPlan(), "1.22", sums())
	if err != nil {
		t.Fatal(err)
	}
	p := lockedPlan()
	p.Nodes[0].GoImage = "registry.internal/golang:1.22@sha256:0"
	for i := range p.Images[0].Platforms {
		ip := &p.Images[0].Platforms[i]
		ip.Bases[baseKey] = "docker-image://registry.internal/base:1.22-dev@sha256:aa"
		ip.Envoy.Ref = "https://files.internal/envoy.tar.gz"
	}
	p.Images[0].Wasm[0].URL = "https://files.internal/stats.wasm"
	got, err := Apply(p, "1.22", l)
	if err != nil {
		t.Fatal(err)
	}
	if got.Images[0].Platforms[1].Envoy.SHA256 != "e2" || got.Images[0].Wasm[0].SHA256 != "w1" {
		t.Errorf("mirrored downloads not pinned to the lock's sha256: %+v", got.Images[0])
	}
}

func TestApplyRefusesDrift(t *testing.T) {
	l, err := Of(lockedPlan(), "1.22", sums())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		drift func(p *plan.Plan)
		want  string
	}{
		{"base moved", func(p *plan.Plan) {
			p.Images[0].Platforms[1].Bases[baseKey] = "docker-image://mirror.example.com/base:1.22-dev@sha256:bb"
		}, "base image " + baseKey + " for linux/arm64 resolves to docker-image://mirror.example.com/base:1.22-dev@sha256:bb, the lock has"},
		{"tag moved", func(p *plan.Plan) { p.Facts.Commit = "def" }, `source commit at tag 1.22.0 is "def", the lock has "abc"`},
		{"go.sum", func(p *plan.Plan) { p.Facts.GoSum = "456" }, "go.sum sha256"},
		{"Go image", func(p *plan.Plan) { p.Nodes[0].GoImage = "golang:1.22@sha256:1" }, "Go image"},
		{"Envoy given another pin", func(p *plan.Plan) { p.Images[0].Platforms[0].Envoy.SHA256 = "ff" }, "--envoy-sha256 ff for linux/amd64 differs from the lock's e1"},
		{"new wasm", func(p *plan.Plan) { p.Images[0].Wasm[0].Name = "x.wasm" }, "wasm filter x.wasm is not in the lock file"},
		{"base no longer used", func(p *plan.Plan) {
			p.Images[0].Platforms = p.Images[0].Platforms[:1]
		}, "the lock has base image " + baseKey + " for linux/arm64, which this build does not use"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := lockedPlan().Clone()
			tc.drift(&p)
			_, err := Apply(p, "1.22", l)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Count(err.Error(), "\n") > 0 {
				t.Fatalf("got %v, want one line containing %q", err, tc.want)
			}
		})
	}
	if _, err := Apply(lockedPlan(), "1.23", l); err == nil || !strings.Contains(err.Error(), "recipe line") {
		t.Errorf("recipe line: got %v", err)
	}
}
