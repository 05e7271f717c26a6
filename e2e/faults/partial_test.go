package faults

import (
	"net/http"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultPartialPublish (exit code 6): pilot's two variants are two
// manifest lists; the debug list's tags move first, then the distroless
// list's tag PUT is refused. The run exits 6 naming exactly the tags that
// moved, which point to the complete debug list; the distroless tag was
// never written. A rerun skips the tags already in place.
func TestFaultPartialPublish(t *testing.T) {
	e := newFaultEnv(t)
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(manifestPath + `1\.22\.0-distroless$`),
		Fault: faultproxy.Fault{Status: http.StatusBadRequest,
			Body: []byte(`{"errors":[{"code":"TAG_INVALID","message":"tag refused by policy"}]}`)}})
	res, moved := e.run(t, "--variants", "debug,distroless")
	if res.Code != 6 {
		t.Fatalf("exited %d, want 6 (partial publish):\n%s", res.Code, e2etest.Tail(res.Stderr, 20))
	}
	if strings.Join(moved, ",") != "pilot:1.22.0,pilot:1.22.0-debug" {
		t.Errorf("moved tags %v, want pilot:1.22.0 and pilot:1.22.0-debug only", moved)
	}
	line := errorLine(res)
	for _, tag := range []string{e.hub() + "/pilot:1.22.0, ", e.hub() + "/pilot:1.22.0-debug", "1.22.0-distroless"} {
		if !strings.Contains(line, tag) {
			t.Errorf("error %q does not name %s", line, tag)
		}
	}
	if !strings.Contains(line, "tags already moved:") || strings.Contains(line[strings.Index(line, "tags already moved:"):], "distroless") {
		t.Errorf("error %q: want the moved tags listed, distroless not among them", line)
	}
	if n := e.proxy.Count(http.MethodPut, manifestPath+`1\.22\.0-distroless$`); n != 1 {
		t.Errorf("%d distroless tag PUTs, want 1: a 400 is not retried", n)
	}

	e.proxy.Clear()
	e.proxy.ResetLog()
	res, moved = e.run(t, "--variants", "debug,distroless")
	if res.Code != 0 {
		t.Fatalf("rerun exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 20))
	}
	if len(moved) != 3 {
		t.Errorf("after the rerun moved %v, want all three tags on complete lists", moved)
	}
	for _, tag := range []string{`1\.22\.0`, `1\.22\.0-debug`} {
		// pilot's own: the charts (HUB/charts/NAME:1.22.0) are tagged for the first time
		if n := e.proxy.Count(http.MethodPut, `^/v2/.+/pilot/manifests/`+tag+"$"); n != 0 {
			t.Errorf("rerun PUT the tag %s again (%d times): tags in place are skipped", tag, n)
		}
	}
}
