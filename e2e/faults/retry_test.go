package faults

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultTransientUploadRecovers (case 2): BuildKit's blob upload reset
// twice, or answered 503 twice, is retried by BuildKit's own push retry
// (1 s, 2 s, 4 s) and the run succeeds.
func TestFaultTransientUploadRecovers(t *testing.T) {
	for name, f := range map[string]faultproxy.Fault{
		"reset": {Reset: true},
		"503":   {Status: http.StatusServiceUnavailable},
	} {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			e.proxy.Add(faultproxy.Rule{Method: http.MethodPost, Path: re(blobUpload), Times: 2, Fault: f})
			start := time.Now()
			res, moved := e.run(t)
			requireMoved(t, res, moved)
			if faulted(e.proxy) != 2 || e.proxy.Count(http.MethodPost, blobUpload) < 3 {
				t.Errorf("%d faulted of %d upload starts, want 2 faulted and later ones through",
					faulted(e.proxy), e.proxy.Count(http.MethodPost, blobUpload))
			}
			t.Logf("succeeded in %s", time.Since(start).Round(time.Second))
		})
	}
}

// TestFaultRateLimit (case 3): istio-mab's manifest list PUT answered 429
// with Retry-After: 2 is sent again after at least 2 s; Retry-After: 3600
// fails at once, naming the wait, with nothing tagged.
func TestFaultRateLimit(t *testing.T) {
	t.Run("Retry-After 2", func(t *testing.T) {
		e := newFaultEnv(t)
		var faultedAt time.Time
		e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Header: isListPut, Times: 1,
			Match: func(*http.Request, []byte) bool { faultedAt = time.Now(); return true },
			Fault: faultproxy.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"2"}}}})
		res, moved := e.run(t)
		requireMoved(t, res, moved)
		var listPuts []time.Time
		for _, r := range e.proxy.Requests() {
			if r.Method == http.MethodPut && types.MediaType(r.Header.Get("Content-Type")).IsIndex() {
				listPuts = append(listPuts, r.Time)
			}
		}
		if len(listPuts) < 2 || listPuts[1].Sub(faultedAt) < 2*time.Second {
			t.Errorf("list PUTs at %v after the 429 at %v: want the second at least 2 s later", listPuts, faultedAt)
		}
	})
	t.Run("Retry-After 3600", func(t *testing.T) {
		e := newFaultEnv(t)
		e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Header: isListPut,
			Fault: faultproxy.Fault{Status: http.StatusTooManyRequests, Header: http.Header{"Retry-After": {"3600"}}}})
		res, moved := e.run(t)
		requireUnchanged(t, res, moved)
		if line := errorLine(res); !strings.Contains(line, "asks to wait 1h0m0s") || !strings.Contains(line, e.proxy.Host()) {
			t.Errorf("error %q does not name the registry and the wait", line)
		}
		if n := e.proxy.Count(http.MethodPut, manifestPath+"[^s]"); n != 0 {
			t.Errorf("%d tag PUTs", n)
		}
		if n := faulted(e.proxy); n != 1 {
			t.Errorf("%d list PUTs answered 429, want 1: no retry of a wait too long", n)
		}
	})
}

func faulted(p *faultproxy.Proxy) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Faulted {
			n++
		}
	}
	return n
}
