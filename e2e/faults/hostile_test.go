package faults

import (
	"net/http"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultHugeErrorBody (case 17, first part): a 10 MB error body on the
// list PUT is read only up to ggcr's 64 KiB bound and summarised in the one
// error line; nothing is tagged.
func TestFaultHugeErrorBody(t *testing.T) {
	e := newFaultEnv(t)
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Header: isListPut,
		Fault: faultproxy.Fault{Status: http.StatusBadRequest, BodySize: 10 << 20}})
	res, moved := e.run(t)
	requireUnchanged(t, res, moved)
	line := errorLine(res)
	// ggcr stops at 64 KiB and says so; a shorter long body is cut by registry.Explain.
	if len(line) > 1000 || !strings.Contains(line, "body exceeds 65536 byte limit") {
		t.Errorf("error line of %d bytes: %.400s", len(line), line)
	}
	if len(res.Stderr) > 1<<20 {
		t.Errorf("stderr holds %d bytes: the body was printed", len(res.Stderr))
	}
}
