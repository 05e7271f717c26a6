package soak

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// soakEnv is what every run of a soak shares: the stack (base images, Go
// image, git source), a registry and a buildkitd node the test owns, and
// the fault proxy in front of that registry, which istio-mab takes as hub.
type soakEnv struct {
	s     e2etest.Stack
	reg   *soak.Registry
	node  *e2etest.Node
	proxy *faultproxy.Proxy
	root  string // every run's path is under it: soak-SEED
}

func newSoakEnv(t *testing.T, seed uint64) *soakEnv {
	t.Helper()
	e := &soakEnv{s: e2etest.LoadStack(t), reg: soak.StartRegistry(t), root: fmt.Sprintf("soak-%d", seed)}
	e.node = e2etest.StartNodeAt(t, e.s, "", filepath.Join(e.s.Dir, "soak-node")) // kept: warm for the next soak
	p, err := faultproxy.New("http://"+e.reg.Addr, faultproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	e.proxy = p
	return e
}

// run builds pilot once with p's faults and checks what it left.
func (e *soakEnv) run(t *testing.T, p soak.Plan) soak.Result {
	t.Helper()
	path := fmt.Sprintf("%s/run-%02d/istio", e.root, p.Run)
	seed, err := soak.Seed(t.Context(), e.reg.Addr, path, "pilot", "1.22.0", "1.22.0-debug")
	if err != nil {
		t.Fatal(err)
	}
	e.proxy.Clear()
	e.proxy.ResetLog()
	for _, f := range p.Faults {
		if rule, ok := f.Rule(); ok {
			e.proxy.Add(rule)
		}
	}
	r := soak.Result{Plan: p}
	start := time.Now()
	r.Code, r.Error, r.Fired = e.build(t, e.proxy.Host()+"/"+path, p.Faults)
	r.Wall = time.Since(start)
	e.proxy.Clear()
	var problems []string
	if r.Moved, problems, err = soak.CheckTags(t.Context(), e.reg.Addr, path, seed); err != nil {
		t.Fatalf("run %d: reading the registry: %v", p.Run, err)
	}
	r.Problems = append(r.Problems, problems...)
	if r.Blobs, problems, err = soak.CheckBlobs(t.Context(), e.reg.Addr, e.root); err != nil {
		t.Fatalf("run %d: reading the registry: %v", p.Run, err)
	}
	r.Problems = append(r.Problems, problems...)
	return r
}

// build runs istio-mab into hub on the soak's node, acting out a process
// fault once its upload start is reached; it returns the exit code, the
// last stderr line and whether the fault fired.
func (e *soakEnv) build(t *testing.T, hub string, faults []soak.Fault) (int, string, bool) {
	t.Helper()
	// Images only: the soak is about publishing under faults, and istioctl's
	// six compiles would make the first, cold run of the CI slice minutes long.
	args := append(e2etest.StackArgs(e.s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--istioctl", "none",
		"--insecure-registry", e.proxy.Host(), "--progress", "plain", "--buildkit-addr", e.node.Addr)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, e2etest.IstioMab(t), args...)
	cmd.Env = e2etest.IstioMabEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	fired := make(chan bool, 1)
	go func() { fired <- e.act(t, faults, done) }()
	err := cmd.Wait()
	close(done)
	ok := <-fired
	if ok && faults[0].Kind == soak.NodeKill {
		e.node.Restart(t)
	}
	code := 0
	if ee, isExit := err.(*exec.ExitError); isExit {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running istio-mab: %v", err)
	}
	return code, lastLine(stderr.String()), ok
}

// act waits for the upload start that triggers a process fault, until
// done, and acts it out; it reports whether it did.
func (e *soakEnv) act(t *testing.T, faults []soak.Fault, done <-chan struct{}) bool {
	if len(faults) != 1 || !slices.Contains([]soak.Kind{soak.NodeKill, soak.RegistryRestart}, faults[0].Kind) {
		return false
	}
	f := faults[0]
	for e.proxy.Count(http.MethodPost, soak.BlobUploadPath) < f.Times {
		select {
		case <-done:
			return false
		case <-time.After(50 * time.Millisecond):
		}
	}
	if f.Kind == soak.NodeKill {
		e.node.Crash()
		return true
	}
	if err := e.reg.Restart(f.Wait); err != nil {
		t.Errorf("restarting the registry: %v", err)
	}
	return true
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
