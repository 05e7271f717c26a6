package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestFreshBuilders: builds on two fresh BuildKit states give identical
// digests; a third run on a third fresh state finds the lists up to date in
// under 2 s, solving and pushing nothing; --force rebuilds the same digests.
func TestFreshBuilders(t *testing.T) {
	s := stack(t)
	hub := uniqueHub(s)
	build := func(addr string, extra ...string) (runResult, time.Duration) {
		args := append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--buildkit-addr", addr, "--images", "pilot")
		start := time.Now()
		r := runIstioMab(t, append(args, extra...)...)
		if r.code != 0 {
			t.Fatalf("build on %s exited %d:\n%s", addr, r.code, tail(r.stderr, 30))
		}
		return r, time.Since(start)
	}
	build(startNode(t, s, "").addr)
	first := remoteIndexDigest(t, hub+"/pilot:1.22.0")
	build(startNode(t, s, "").addr, "--force")
	if again := remoteIndexDigest(t, hub+"/pilot:1.22.0"); again != first {
		t.Fatalf("a second fresh builder made %s, the first %s: not reproducible", again, first)
	}

	third := startNode(t, s, "")
	start, before := time.Now(), tagRequests(t, s, hub)
	r, took := build(third.addr)
	if !strings.Contains(r.stdout, "is up to date") || took > 2*time.Second {
		t.Errorf("third run took %v, stdout %q: want up to date within 2s", took, r.stdout)
	}
	if n := exportingSolves(t, third.addr, start); n != 0 {
		t.Errorf("the up-to-date run ran %d solves that export (compile, Envoy, image)", n)
	}
	if after := tagRequests(t, s, hub); after != before {
		t.Errorf("the up-to-date run changed the repository: %v then %v", before, after)
	}
	build(third.addr, "--force")
	if forced := remoteIndexDigest(t, hub+"/pilot:1.22.0"); forced != first {
		t.Errorf("--force on a fresh builder made %s, want %s", forced, first)
	}
}

// tagRequests is what the hub's pilot repository holds: its tags and the
// list under the version tag, to tell whether a run wrote anything.
func tagRequests(t *testing.T, s Stack, hub string) string {
	t.Helper()
	repo, err := name.NewRepository(hub+"/pilot", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(repo, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(tags, ",") + " " + remoteIndexDigest(t, hub+"/pilot:1.22.0").String()
}
