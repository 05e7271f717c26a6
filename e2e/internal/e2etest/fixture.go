package e2etest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// ProxySHA is the proxy commit (PROXY_REPO_SHA) the fixture tree of tag names.
func ProxySHA(t *testing.T, tag string) string {
	t.Helper()
	wd, _ := os.Getwd()
	dir, err := fixture.TestdataDir(wd)
	if err != nil {
		t.Fatal(err)
	}
	r, err := fixture.ReadRelease(filepath.Join(dir, "fixture", tag), tag)
	if err != nil {
		t.Fatal(err)
	}
	return r.ProxySHA
}

// InsertBefore inserts text into the file at path before the first marker.
func InsertBefore(t *testing.T, path, marker, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), marker)
	if i < 0 {
		t.Fatalf("%s has no %q", path, marker)
	}
	if err := os.WriteFile(path, []byte(string(b[:i])+text+string(b[i:])), 0o644); err != nil {
		t.Fatal(err)
	}
}

// ChangePilotDiscovery changes one file only pilot-discovery is built from.
func ChangePilotDiscovery(t *testing.T, dir string) {
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

// FixtureCopy copies a fixture tree to a temp dir, as a user's local checkout.
func FixtureCopy(t *testing.T, tag string) string {
	t.Helper()
	wd, _ := os.Getwd()
	testdata, err := fixture.TestdataDir(wd)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "istio")
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(testdata, "fixture", tag))); err != nil {
		t.Fatal(err)
	}
	return dst
}

// FixtureReleases is what the fixture trees say about each tag.
func FixtureReleases(t *testing.T) []fixture.Release {
	t.Helper()
	td, err := fixture.TestdataDir(RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	rels, err := fixture.ReadReleases(filepath.Join(td, "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) == 0 {
		t.Fatal("fixture has no releases")
	}
	return rels
}

// FixtureRelease is what the fixture tree says about tag.
func FixtureRelease(t *testing.T, tag string) fixture.Release {
	t.Helper()
	for _, r := range FixtureReleases(t) {
		if r.Tag == tag {
			return r
		}
	}
	t.Fatalf("fixture has no release %s", tag)
	return fixture.Release{}
}
