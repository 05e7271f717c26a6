package nodes

import (
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestBuildOnTwoNodes builds 1.22.0 with a second BuildKit node restricted
// to linux/arm64: each platform's images are solved on its own node, every
// compile stays on the default node (the stack's Go image is amd64-only, so
// Go never runs emulated), and the lists equal a single-node build's.
func TestBuildOnTwoNodes(t *testing.T) {
	s := e2etest.LoadStack(t)
	arm := e2etest.StartNode(t, s, "linux/arm64")
	builder := "linux/arm64=" + arm.Addr

	plan := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), "--builder", builder, "--dry-run")...)
	if plan.Code != 0 {
		t.Fatalf("dry run exited %d:\n%s", plan.Code, e2etest.Tail(plan.Stderr, 20))
	}
	checkAssignment(t, plan.Stdout, s.BuildkitHost, arm.Addr)

	// The hub is one of the inputs (-X buildHub), so both builds push to one.
	hub := e2etest.UniqueHub(s)
	if r := e2etest.RunIstioMab(t, e2etest.StackArgs(s, "1.22.0", hub, t.TempDir())...); r.Code != 0 {
		t.Fatalf("single-node build exited %d:\n%s", r.Code, e2etest.Tail(r.Stderr, 30))
	}
	single := map[string]v1.Hash{}
	for _, image := range []string{"pilot", "proxyv2"} {
		single[image] = e2etest.RemoteIndexDigest(t, hub+"/"+image+":1.22.0")
	}
	start := time.Now()
	if r := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--builder", builder, "--force")...); r.Code != 0 {
		t.Fatalf("two-node build exited %d:\n%s", r.Code, e2etest.Tail(r.Stderr, 30))
	}
	armSolves, defaultSolves := imageSolves(t, arm.Addr, start), imageSolves(t, s.BuildkitHost, start)
	if armSolves["linux/arm64"] != 2 || len(armSolves) != 1 {
		t.Errorf("arm64 node solved images %v, want pilot and proxyv2 for linux/arm64 only", armSolves)
	}
	if defaultSolves["linux/amd64"] != 2 || len(defaultSolves) != 1 {
		t.Errorf("default node solved images %v, want pilot and proxyv2 for linux/amd64 only", defaultSolves)
	}
	for _, image := range []string{"pilot", "proxyv2"} {
		if got := e2etest.RemoteIndexDigest(t, hub+"/"+image+":1.22.0"); got != single[image] {
			t.Errorf("%s: two-node list %s, single-node list %s: want equal", image, got, single[image])
		}
	}
}

// checkAssignment reads the dry run's plan: every compile on the default
// node, the arm64 image platforms on the arm64 node.
func checkAssignment(t *testing.T, plan, defaultAddr, armAddr string) {
	t.Helper()
	compiles := strings.Count(plan, "compiled on: ")
	if compiles != 10 || strings.Count(plan, "compiled on: "+defaultAddr+" ") != compiles {
		t.Errorf("plan compiles %d binaries, want all 10 on %s:\n%s", compiles, defaultAddr, plan)
	}
	if n := strings.Count(plan, "linux/arm64: binaries="); n != 2 || strings.Count(plan, "node="+armAddr) != 2 {
		t.Errorf("plan does not put both arm64 image platforms on %s:\n%s", armAddr, plan)
	}
}

// TestBuildUnreachableNode: a named node that does not answer fails the run
// in one line naming it, before anything is compiled or pushed.
func TestBuildUnreachableNode(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	gone := "unix:///tmp/istio-mab-no-such-node.sock"
	r := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--builder", "linux/arm64="+gone)...)
	if r.Code != 7 {
		t.Fatalf("build with an unreachable node: exit %d, want 7\n%s", r.Code, e2etest.Tail(r.Stderr, 10))
	}
	lines := strings.Split(strings.TrimSpace(r.Stderr), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "BuildKit node "+gone+" is unreachable") {
		t.Errorf("last line %q, want it to name the unreachable node", last)
	}
	if strings.Contains(r.Stderr, "compile ") {
		t.Errorf("something was compiled before the node was found unreachable:\n%s", e2etest.Tail(r.Stderr, 20))
	}
	repo, err := name.NewRepository(hub+"/pilot", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if tags, err := remote.List(repo); err == nil {
		t.Errorf("%s has tags %v after a failed run, want the repository absent", repo, tags)
	}
}
