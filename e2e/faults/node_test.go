package faults

import (
	"bytes"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultNodeLost (case 9): the test's own buildkitd is killed while it
// compiles, then (restarted on the same root and socket) while it pushes an
// image. Each run fails naming the lost node, with nothing tagged and no
// list written; a run after a second restart completes, and its lists hold
// the very platform manifests the interrupted export had made.
func TestFaultNodeLost(t *testing.T) {
	e := newFaultEnv(t)
	n := e2etest.StartNode(t, e.s, "")
	args := e.args(t, "--buildkit-addr", n.Addr)

	t.Run("during a solve", func(t *testing.T) {
		res := runAndCrash(t, n, args, func(stderr string) bool { return strings.Contains(stderr, "compile pilot-discovery") })
		requireLost(t, e, res, n.Addr)
	})

	n.Restart(t)
	release := make(chan struct{})
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPost, Path: re(blobUpload), Fault: faultproxy.Fault{Hold: release}})
	var exported []string
	t.Run("during an export", func(t *testing.T) {
		defer close(release)
		// Crash once an upload is held and its manifest was reported: the
		// progress printer may not have shown the manifest yet when the
		// upload is first held.
		res := runAndCrash(t, n, args, func(stderr string) bool {
			return faulted(e.proxy) > 0 && exportedManifest.MatchString(stderr)
		})
		requireLost(t, e, res, n.Addr)
		exported = exportedManifests(res.Stderr)
	})

	n.Restart(t)
	e.proxy.Clear()
	res, moved := e.run(t, "--buildkit-addr", n.Addr)
	requireMoved(t, res, moved)
	children := strings.Join(childDigests(t, e.s.Registry+"/"+e.path+"/pilot:1.22.0"), " ")
	if len(exported) == 0 {
		t.Fatal("the interrupted export reported no platform manifest")
	}
	for _, d := range exported {
		if !strings.Contains(children, d) {
			t.Errorf("platform manifest %s, exported before the crash, is not in the rerun's list (%s)", d, children)
		}
	}
}

// runAndCrash runs istio-mab and kills the node's buildkitd once ready says
// so of the output so far; it returns once istio-mab has exited.
func runAndCrash(t *testing.T, n *e2etest.Node, args []string, ready func(stderr string) bool) e2etest.Result {
	t.Helper()
	cmd := exec.Command(e2etest.IstioMab(t), args...)
	cmd.Env = e2etest.IstioMabEnv()
	var stdout bytes.Buffer
	stderr := &e2etest.SyncBuffer{}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	waitFor(t, 5*time.Minute, func() bool { return ready(stderr.String()) })
	n.Crash()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatalf("istio-mab still running a minute after its node was killed:\n%s", e2etest.Tail(stderr.String(), 20))
	}
	return e2etest.Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// requireLost fails unless the run failed naming the node as lost, wrote
// no list and moved no tag.
func requireLost(t *testing.T, e *faultEnv, res e2etest.Result, addr string) {
	t.Helper()
	requireUnchanged(t, res, checkTagInvariant(t, e.s, e.path, e.seed))
	line := errorLine(res)
	t.Logf("exit %d: %s", res.Code, line)
	if res.Code != 7 {
		t.Errorf("a lost node: exit %d, want 7", res.Code)
	}
	if !strings.Contains(line, "BuildKit node "+addr+" was lost during") {
		t.Errorf("error %q does not name the lost node %s", line, addr)
	}
	if n := listPuts(e.proxy); n != 0 {
		t.Errorf("%d manifest list PUTs", n)
	}
}

var exportedManifest = regexp.MustCompile(`exporting manifest (sha256:[0-9a-f]{64})`)

// exportedManifests are the platform manifests BuildKit's exporter made,
// from plain progress output.
func exportedManifests(stderr string) []string {
	var out []string
	for _, m := range exportedManifest.FindAllStringSubmatch(stderr, -1) {
		out = append(out, m[1])
	}
	return out
}

func childDigests(t *testing.T, ref string) []string {
	t.Helper()
	m, err := e2etest.RemoteIndex(t, ref).IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range m.Manifests {
		out = append(out, d.Digest.String())
	}
	return out
}
