package e2e

import (
	"net/http"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultChildManifestRejected (case 1): BuildKit's PUT of the arm64
// platform manifest answered with a permanent 400 fails the run, naming the
// platform; no list is PUT and no tag moves.
func TestFaultChildManifestRejected(t *testing.T) {
	e := newFaultEnv(t)
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(manifestPath), Match: archManifest(e.s, "arm64"),
		Fault: faultproxy.Fault{Status: http.StatusBadRequest,
			Body: []byte(`{"errors":[{"code":"MANIFEST_INVALID","message":"manifest invalid"}]}`)}})
	res, moved := e.run(t)
	requireUnchanged(t, res, moved)
	line := errorLine(res)
	t.Logf("error: %s", line)
	if !strings.Contains(line, "linux/arm64") || !strings.Contains(line, "sha256:") {
		t.Errorf("error %q names no platform or digest", line)
	}
	if n := e.proxy.Count(http.MethodPut, manifestPath); n == 0 {
		t.Error("no manifest PUT reached the proxy: BuildKit bypassed it")
	}
	for _, r := range e.proxy.Requests() {
		if r.Method == http.MethodPut && strings.Contains(r.Header.Get("Content-Type"), "list") {
			t.Errorf("a manifest list was PUT to %s", r.Path)
		}
	}
}
