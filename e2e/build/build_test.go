package build

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuild122 runs the main job on the 1.22.0 fixture twice: the first run
// must publish complete, correct manifest lists and archives; the second must
// compile nothing and publish the same digests.
func TestBuild122(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub, dist := e2etest.UniqueHub(s), t.TempDir()
	first := e2etest.RunIstioMab(t, e2etest.StackArgs(s, "1.22.0", hub, dist)...)
	if first.Code != 0 {
		t.Fatalf("istio-mab build exited %d:\n%s", first.Code, e2etest.Tail(first.Stderr, 40))
	}
	digests := map[string]v1.Hash{}
	for _, image := range []string{"pilot", "proxyv2"} {
		digests[image] = e2etest.CheckImage(t, hub+"/"+image+":1.22.0", image, "1.22.0")
	}
	e2etest.CheckArchives(t, dist, "1.22.0", true)

	t.Run("second run compiles nothing and gives the same digests", func(t *testing.T) {
		second := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--force")...)
		if second.Code != 0 {
			t.Fatalf("second build exited %d:\n%s", second.Code, e2etest.Tail(second.Stderr, 40))
		}
		// Both images for two platforms: pilot-discovery and pilot-agent twice,
		// istioctl for its six archive platforms.
		const binaries = 10
		compiles := 0
		for name, cached := range e2etest.CompletedVertices(t, second.Stderr) {
			if strings.HasPrefix(name, "compile ") {
				compiles++
				if !cached {
					t.Errorf("%q ran again; want it cached", name)
				}
			}
		}
		if compiles != binaries {
			t.Errorf("saw %d compile steps in the progress output, want one per binary (%d)", compiles, binaries)
		}
		for image, want := range digests {
			if got := e2etest.RemoteIndexDigest(t, hub+"/"+image+":1.22.0"); got != want {
				t.Errorf("%s: list digest %s after the second run, want %s", image, got, want)
			}
		}
	})
}
