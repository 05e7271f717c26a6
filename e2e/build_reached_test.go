package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOneFileChangeRecompilesOnlyWhatItReaches: each binary compiles from
// the files its packages reach, so after one file of pilot-discovery
// changes, a rebuild compiles pilot-discovery again and takes every other
// binary from BuildKit's cache.
func TestOneFileChangeRecompilesOnlyWhatItReaches(t *testing.T) {
	s := stack(t)
	dir, hub := fixtureCopy(t, "1.22.0"), uniqueHub(s)
	build := func() map[string]bool {
		args := append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot")
		r := runIstioMab(t, args...)
		if r.code != 0 {
			t.Fatalf("build exited %d:\n%s", r.code, tail(r.stderr, 30))
		}
		return completedVertices(t, r.stderr)
	}
	build()
	changePilotDiscovery(t, dir)
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

// changePilotDiscovery changes one file only pilot-discovery is built from.
func changePilotDiscovery(t *testing.T, dir string) {
	t.Helper()
	main := filepath.Join(dir, "pilot/cmd/pilot-discovery/main.go")
	b, err := os.ReadFile(main)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(main, append(b, []byte("\n// one changed file\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
}
