package airgap

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestImportInterruptedRemovesItsDirectory: SIGINT while an import of a
// tarball waits on the registry (the unpacked layout in its temporary
// directory) ends it with exit 130 and that directory gone.
func TestImportInterruptedRemovesItsDirectory(t *testing.T) {
	e := newHostileEnv(t)
	good := filepath.Join(e.work, "good")
	craftBundle(t, good)
	pack := filepath.Join(e.work, "good.tar")
	if err := carry.Pack(good, pack); err != nil {
		t.Fatal(err)
	}
	e.proxy.Add(faultproxy.Rule{Fault: faultproxy.Fault{Delay: 5 * time.Minute}})
	cmd := exec.Command(e2etest.IstioMab(t), "import", "--from", pack, "--hub", e.hub, "--insecure-registry", e.proxy.Host())
	cmd.Env = e2etest.IstioMabEnv("TMPDIR=" + e.tmp)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill() })
	for end := time.Now().Add(time.Minute); len(e.proxy.Requests()) == 0; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("no request reached the proxy within a minute:\n%s", stderr.String())
		}
	}
	held := namesIn(t, e.tmp)
	if len(held) != 2 || !slices.ContainsFunc(held, func(n string) bool { return strings.HasPrefix(n, "istio-mab-import-") }) {
		t.Fatalf("$TMPDIR holds %v while the import waits, want the canary and istio-mab-import-*", held)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 130 {
		t.Errorf("ended with %v after SIGINT, want exit 130:\n%s", err, stderr.String())
	}
	if got := namesIn(t, e.tmp); !slices.Equal(got, []string{"canary"}) {
		t.Errorf("$TMPDIR holds %v after the interrupted import, want the canary alone (held %v)", got, held)
	}
}
