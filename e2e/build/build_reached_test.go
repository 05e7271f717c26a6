package build

import (
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestOneFileChangeRecompilesOnlyWhatItReaches: each binary compiles from
// the files its packages reach, so after one file of pilot-discovery
// changes, a rebuild compiles pilot-discovery again and takes every other
// binary from BuildKit's cache.
func TestOneFileChangeRecompilesOnlyWhatItReaches(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir, hub := e2etest.FixtureCopy(t, "1.22.0"), e2etest.UniqueHub(s)
	build := func() map[string]bool {
		args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot")
		r := e2etest.RunIstioMab(t, args...)
		if r.Code != 0 {
			t.Fatalf("build exited %d:\n%s", r.Code, e2etest.Tail(r.Stderr, 30))
		}
		return e2etest.CompletedVertices(t, r.Stderr)
	}
	build()
	e2etest.ChangePilotDiscovery(t, dir)
	compiles := 0
	for name, cached := range build() {
		if !strings.HasPrefix(name, "compile ") {
			continue
		}
		compiles++
		if reached := strings.HasPrefix(name, "compile pilot-discovery "); cached == reached {
			t.Errorf("%q cached=%t: want only pilot-discovery compiled again", name, cached)
		}
	}
	if compiles != 8 { // pilot-discovery for 2 image platforms, istioctl for 6 archives
		t.Errorf("saw %d compile steps, want 8", compiles)
	}
}
