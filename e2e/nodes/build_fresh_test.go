package nodes

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestFreshBuilders: builds on two fresh BuildKit states give identical
// digests; a third run on a third fresh state finds the lists up to date in
// under 2 s, solving and pushing nothing; --force rebuilds the same digests.
func TestFreshBuilders(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	build := func(addr string, extra ...string) (e2etest.Result, time.Duration) {
		args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--buildkit-addr", addr, "--images", "pilot")
		start := time.Now()
		r := e2etest.RunIstioMab(t, append(args, extra...)...)
		if r.Code != 0 {
			t.Fatalf("build on %s exited %d:\n%s", addr, r.Code, e2etest.Tail(r.Stderr, 30))
		}
		return r, time.Since(start)
	}
	build(e2etest.StartNode(t, s, "").Addr)
	first := e2etest.RemoteIndexDigest(t, hub+"/pilot:1.22.0")
	build(e2etest.StartNode(t, s, "").Addr, "--force")
	if again := e2etest.RemoteIndexDigest(t, hub+"/pilot:1.22.0"); again != first {
		t.Fatalf("a second fresh builder made %s, the first %s: not reproducible", again, first)
	}

	third := e2etest.StartNode(t, s, "")
	start, before := time.Now(), tagRequests(t, s, hub)
	r, took := build(third.Addr)
	if !strings.Contains(r.Stdout, "is up to date") || took > 2*time.Second {
		t.Errorf("third run took %v, stdout %q: want up to date within 2s", took, r.Stdout)
	}
	if n := exportingSolves(t, third.Addr, start); n != 0 {
		t.Errorf("the up-to-date run ran %d solves that export (compile, Envoy, image)", n)
	}
	if after := tagRequests(t, s, hub); after != before {
		t.Errorf("the up-to-date run changed the repository: %v then %v", before, after)
	}
	build(third.Addr, "--force")
	if forced := e2etest.RemoteIndexDigest(t, hub+"/pilot:1.22.0"); forced != first {
		t.Errorf("--force on a fresh builder made %s, want %s", forced, first)
	}
}

// tagRequests is what the hub's pilot repository holds: its tags and the
// list under the version tag, to tell whether a run wrote anything.
func tagRequests(t *testing.T, s e2etest.Stack, hub string) string {
	t.Helper()
	repo, err := name.NewRepository(hub+"/pilot", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	tags, err := remote.List(repo, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(tags, ",") + " " + e2etest.RemoteIndexDigest(t, hub+"/pilot:1.22.0").String()
}
