package bench

import (
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// realSizeGate names the variable `make bench` sets: a cold compile of the
// real-size fixture takes well over the few minutes the default run allows.
const realSizeGate = "BENCH_REALSIZE"

// TestRealSizeBuildsThroughTheModuleProxy: the real-size fixture (client-go,
// gRPC, go-control-plane) builds with the environment's GOPROXY through the
// stack; the modules come from the one download step, and a go.sum that does
// not match what the proxy serves fails that step before anything compiles.
func TestRealSizeBuildsThroughTheModuleProxy(t *testing.T) {
	if os.Getenv(realSizeGate) == "" {
		t.Skipf("cold compile of the real-size fixture takes minutes: set %s=1 (make bench does)", realSizeGate)
	}
	s := e2etest.LoadStack(t)
	// A GOPRIVATE pattern no module matches changes nothing the go command
	// does, but is part of the download step's inputs: the step runs, and
	// reaches the proxy, even on a builder that ran this test before.
	env := []string{"GOPROXY=" + hostGoProxy(t), "GOPRIVATE=" + path.Base(path.Dir(e2etest.UniqueHub(s))) + ".invalid"}
	args := append(e2etest.StackArgs(s, fixture.RealSizeTag, e2etest.UniqueHub(s), t.TempDir()), "--images", "pilot", "--platforms", "linux/amd64")
	start := time.Now()
	r := e2etest.RunIstioMabEnv(t, env, args...)
	t.Logf("real-size build: %.1fs", time.Since(start).Seconds())
	if r.Code != 0 {
		t.Fatalf("real-size build exited %d:\n%s", r.Code, e2etest.Tail(r.Stderr, 40))
	}
	ran := e2etest.CompletedVertices(t, r.Stderr)
	if cached, ok := ran[downloadVertex]; !ok || cached {
		t.Errorf("%q: completed=%t cached=%t, want it run (the modules come from the proxy)", downloadVertex, ok, cached)
	}
	if n := countPrefix(ran, "compile "); n == 0 {
		t.Error("no compile step completed")
	}

	dir := e2etest.FixtureCopy(t, fixture.RealSizeTag)
	tamperGoSum(t, filepath.Join(dir, "go.sum"), "k8s.io/client-go ")
	args = append(e2etest.StackArgs(s, fixture.RealSizeTag, e2etest.UniqueHub(s), t.TempDir()),
		"--source", dir, "--images", "pilot", "--platforms", "linux/amd64")
	r = e2etest.RunIstioMabEnv(t, env, args...)
	if r.Code == 0 {
		t.Fatal("a go.sum that does not match the proxy built")
	}
	failed := e2etest.FailedVertices(t, r.Stderr)
	if len(failed) != 1 || failed[0] != downloadVertex {
		t.Errorf("failed steps = %q, want only %q:\n%s", failed, downloadVertex, e2etest.Tail(r.Stderr, 20))
	}
	if !strings.Contains(e2etest.ProgressLogs(t, r.Stderr), "checksum mismatch") {
		t.Errorf("the download did not report the checksum mismatch:\n%s", e2etest.Tail(r.Stderr, 20))
	}
	for name := range e2etest.CompletedVertices(t, r.Stderr) {
		if strings.HasPrefix(name, "compile ") || strings.HasPrefix(name, "list the files ") {
			t.Errorf("%q ran after the download failed", name)
		}
	}
}

const downloadVertex = "download Go modules (go.mod, go.sum)"

// hostGoProxy is the GOPROXY the machine's go command uses.
func hostGoProxy(t *testing.T) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "go", "env", "GOPROXY").Output()
	if err != nil {
		t.Fatalf("go env GOPROXY: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// tamperGoSum changes the module hash (not the go.mod hash) of the module
// whose lines start with prefix, so only a download of its zip can notice.
func tamperGoSum(t *testing.T, path, prefix string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	changed := false
	for i, l := range lines {
		if strings.HasPrefix(l, prefix) && !strings.Contains(l, "/go.mod ") {
			lines[i] = l[:len(l)-5] + "AAAA="
			changed = l != lines[i]
			break
		}
	}
	if !changed {
		t.Fatalf("%s: no module line for %q to change", path, prefix)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

func countPrefix(m map[string]bool, prefix string) int {
	n := 0
	for k := range m {
		if strings.HasPrefix(k, prefix) {
			n++
		}
	}
	return n
}
