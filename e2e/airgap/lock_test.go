package airgap

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildLock: a lock of the 1.22.0 fixture against a private copy of
// the bases records the commit, the Go image, each base per platform and
// each Envoy's sha256; build --lock builds with it; once the base tag moves
// to another list, build --lock stops in one line naming that base, before
// anything is built.
func TestBuildLock(t *testing.T) {
	s := e2etest.LoadStack(t)
	bases := s.Registry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio-release"
	base := "base:" + e2etest.FixtureRelease(t, "1.22.0").BaseVersion
	e2etest.CopyIndex(t, s.BaseRegistry+"/"+base, bases+"/"+base)
	args := func(cmd string) []string {
		dist := t.TempDir()
		if cmd == "lock" {
			dist = "" // a lock writes no archives: lock has no --dist
		}
		a := e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), dist)
		a[0] = cmd
		return append(a, "--base-registry", bases, "--progress", "quiet")
	}
	res := e2etest.RunIstioMab(t, args("lock")...)
	if res.Code != 0 {
		t.Fatalf("lock exited %d:\n%s", res.Code, res.Stderr)
	}
	var l lock.Lock
	if err := json.Unmarshal([]byte(res.Stdout), &l); err != nil {
		t.Fatalf("lock output is not a lock: %v\n%s", err, res.Stdout)
	}
	if len(l.Commit) != 40 || !strings.Contains(l.GoImage, "@sha256:") || len(l.Bases) != 2 || len(l.Envoys) != 2 {
		t.Fatalf("lock %+v: want the commit, the Go image by digest, the base and Envoy for both platforms", l)
	}
	for _, e := range l.Envoys {
		if len(e.SHA256) != 64 || !strings.HasPrefix(e.Source, s.EnvoyBaseURL) {
			t.Errorf("Envoy for %s: %s sha256 %q, want the download's sha256", e.Platform, e.Source, e.SHA256)
		}
	}
	for _, b := range l.Bases {
		if !strings.HasPrefix(b.Pinned, "docker-image://"+bases+"/"+base+"@sha256:") {
			t.Errorf("base %s for %s pinned as %s, want the private copy by digest", b.Image, b.Platform, b.Pinned)
		}
	}
	file := filepath.Join(t.TempDir(), "istio.lock")
	if err := os.WriteFile(file, []byte(res.Stdout), 0o644); err != nil {
		t.Fatal(err)
	}
	e2etest.MustBuild(t, append(args("build"), "--push=false", "--lock", file))

	moveTag(t, bases+"/"+base)
	res = e2etest.RunIstioMab(t, append(args("build"), "--push=false", "--lock", file)...)
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	want := "--lock: base image gcr.io/istio-release/" + base + " for linux/"
	if res.Code == 0 || len(lines) != 1 || !strings.Contains(lines[0], want) || !strings.Contains(lines[0], "the lock has") {
		t.Fatalf("exit %d, stderr:\n%s\nwant one line containing %q", res.Code, res.Stderr, want)
	}
	t.Log(lines[0])
}

// moveTag points ref at a new list with the same images: only the list's
// annotations differ, as when a base is rebuilt or re-pushed.
func moveTag(t *testing.T, ref string) {
	t.Helper()
	moved := mutate.Annotations(e2etest.RemoteIndex(t, ref), map[string]string{"moved-by": t.Name()})
	dst, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(dst, moved.(v1.ImageIndex), remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
}
