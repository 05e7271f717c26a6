package build

import (
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildWithoutPush builds and checks everything but pushes nothing.
func TestBuildWithoutPush(t *testing.T) {
	s := e2etest.LoadStack(t)
	before := e2etest.Catalog(t, s)
	dist := t.TempDir()
	res := e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), dist), "--push=false"))
	if !strings.Contains(res.Stdout, "not pushed (--push=false)") || strings.Count(res.Stdout, "linux/arm64") < 2 {
		t.Errorf("summary does not list the built platform images and say nothing was pushed:\n%s", res.Stdout)
	}
	if after := e2etest.Catalog(t, s); !slices.Equal(before, after) {
		t.Errorf("registry repositories changed from %v to %v with --push=false", before, after)
	}
	e2etest.CheckArchives(t, dist, "1.22.0", true)
}
