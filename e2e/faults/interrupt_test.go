package faults

import (
	"bytes"
	"errors"
	"net/http"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultInterruptDuringUpload (case 8): SIGINT while a blob upload hangs
// stops the run within about 2 s with exit 130, no list PUT and no tag
// moved; a rerun then completes.
func TestFaultInterruptDuringUpload(t *testing.T) {
	e := newFaultEnv(t)
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPost, Path: re(blobUpload), Fault: faultproxy.Fault{Delay: 5 * time.Minute}})
	cmd := exec.Command(e2etest.IstioMab(t), e.args(t)...)
	cmd.Env = e2etest.IstioMabEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	waitFor(t, 2*time.Minute, func() bool { return faulted(e.proxy) > 0 })

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	took := time.Since(sent)
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("ended with %v after SIGINT, want exit 130:\n%s", err, e2etest.Tail(stderr.String(), 10))
	}
	if took > 3*time.Second {
		t.Errorf("took %s to stop after SIGINT, want about 2 s at most", took)
	}
	requireUnchanged(t, e2etest.Result{Code: 130}, checkTagInvariant(t, e.s, e.path, e.seed))
	if n := e.proxy.Count(http.MethodPut, manifestPath+"[^s]"); n != 0 || listPuts(e.proxy) != 0 {
		t.Errorf("%d tag PUTs and %d list PUTs after SIGINT, want none", n, listPuts(e.proxy))
	}

	e.proxy.Clear()
	res, moved := e.run(t)
	requireMoved(t, res, moved)
}

func waitFor(t *testing.T, limit time.Duration, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("condition not met within %s", limit)
}
