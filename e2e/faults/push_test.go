package faults

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
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
		if r.Method == http.MethodPut && types.MediaType(r.Header.Get("Content-Type")).IsIndex() {
			t.Errorf("a manifest list was PUT to %s", r.Path)
		}
	}
}

// TestFaultBuildKitPushDenied (case 4, BuildKit's side): BuildKit's PUT of
// the arm64 platform manifest answered 403 fails the run with the exit code
// for registry access, naming the registry and repository, without a
// retry storm; no list is PUT and no tag moves.
func TestFaultBuildKitPushDenied(t *testing.T) {
	e := newFaultEnv(t)
	e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(manifestPath), Match: archManifest(e.s, "arm64"),
		Fault: faultproxy.Fault{Status: http.StatusForbidden,
			Body: []byte(`{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)}})
	res, moved := e.run(t)
	requireUnchanged(t, res, moved)
	line := errorLine(res)
	if res.Code != 3 || !strings.Contains(line, e.proxy.Host()) || !strings.Contains(line, e.path+"/pilot") {
		t.Errorf("exit %d, error %q: want exit 3 naming %s and %s/pilot", res.Code, line, e.proxy.Host(), e.path)
	}
	if n := faulted(e.proxy); n < 1 || n > 2 {
		t.Errorf("%d denied manifest PUTs, want 1 or 2 (no retry storm)", n)
	}
	if n := listPuts(e.proxy); n != 0 {
		t.Errorf("%d manifest list PUTs after a denied platform push", n)
	}
}

// raceAnswer is distribution's answer to a manifest PUT made while another
// push links the same layers into the repository.
var raceAnswer = faultproxy.Fault{Status: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
	Body: []byte(`{"errors":[{"code":"DIGEST_INVALID","message":"provided digest did not match uploaded content"},` +
		`{"code":"MANIFEST_BLOB_UNKNOWN","message":"blob unknown to registry","detail":"sha256:c8aaa5c56e1ae57dd5fbc5bd13fdde6e6ab360c8cd5445dbab622ec9a1d8a128"}]}`)}

// TestFaultManifestPushRace: the arm64 platform manifest PUT answered as
// when concurrent pushes race is pushed again, and the run succeeds; a
// registry that answers so every time fails the run after three pushes,
// with nothing tagged.
func TestFaultManifestPushRace(t *testing.T) {
	t.Run("once", func(t *testing.T) {
		e := newFaultEnv(t)
		e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(manifestPath), Match: archManifest(e.s, "arm64"), Times: 1, Fault: raceAnswer})
		res, moved := e.run(t)
		requireMoved(t, res, moved)
		if faulted(e.proxy) != 1 || !strings.Contains(res.Stderr, "again (2 of 3)") {
			t.Errorf("%d faulted manifest PUTs, want 1 and the image pushed again:\n%s", faulted(e.proxy), e2etest.Tail(res.Stderr, 20))
		}
	})
	t.Run("always", func(t *testing.T) {
		e := newFaultEnv(t)
		e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(manifestPath), Match: archManifest(e.s, "arm64"), Fault: raceAnswer})
		res, moved := e.run(t)
		requireUnchanged(t, res, moved)
		line := errorLine(res)
		if !strings.Contains(line, "linux/arm64") || !strings.Contains(line, "provided digest did not match") {
			t.Errorf("error %q names no platform or registry answer", line)
		}
		if n := faulted(e.proxy); n != 3 {
			t.Errorf("%d faulted manifest PUTs, want 3 (one push and two again)", n)
		}
		if n := listPuts(e.proxy); n != 0 {
			t.Errorf("%d manifest list PUTs", n)
		}
	})
}
