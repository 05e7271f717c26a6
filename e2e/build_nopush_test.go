package e2e

import (
	"slices"
	"strings"
	"testing"
)

// TestBuildWithoutPush builds and checks everything but pushes nothing.
func TestBuildWithoutPush(t *testing.T) {
	s := stack(t)
	before := catalog(t, s)
	dist := t.TempDir()
	res := mustBuild(t, append(stackArgs(s, "1.22.0", uniqueHub(s), dist), "--push=false"))
	if !strings.Contains(res.stdout, "not pushed (--push=false)") || strings.Count(res.stdout, "linux/arm64") < 2 {
		t.Errorf("summary does not list the built platform images and say nothing was pushed:\n%s", res.stdout)
	}
	if after := catalog(t, s); !slices.Equal(before, after) {
		t.Errorf("registry repositories changed from %v to %v with --push=false", before, after)
	}
	checkArchives(t, dist, "1.22.0", true)
}
