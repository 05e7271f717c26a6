package nodes

import (
	"bufio"
	"encoding/json"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestCacheFromAfterOneFileChange: a build exports its cache to the
// registry; after one file of pilot-discovery changes, a fresh builder
// importing that cache compiles pilot-discovery again and takes every
// other binary from the cache.
func TestCacheFromAfterOneFileChange(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir, hub := e2etest.FixtureCopy(t, "1.22.0"), e2etest.UniqueHub(s)
	cache := "type=registry,ref=" + hub + "/build-cache,mode=max"
	build := func(addr string, cacheFlag ...string) string {
		args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot", "--buildkit-addr", addr)
		r := e2etest.RunIstioMab(t, append(args, cacheFlag...)...)
		if r.Code != 0 {
			t.Fatalf("build on %s exited %d:\n%s", addr, r.Code, e2etest.Tail(r.Stderr, 30))
		}
		return r.Stderr
	}
	build(e2etest.StartNode(t, s, "").Addr, "--cache-to", cache)

	e2etest.ChangePilotDiscovery(t, dir)
	progress := build(e2etest.StartNode(t, s, "").Addr, "--cache-from", cache)

	compiles, imported := 0, importedVertices(t, progress)
	for name := range e2etest.CompletedVertices(t, progress) {
		if !strings.HasPrefix(name, "compile ") {
			continue
		}
		compiles++
		reached := strings.HasPrefix(name, "compile pilot-discovery ")
		if imported[name] == reached {
			t.Errorf("%q taken from the registry cache=%t: want only pilot-discovery compiled again", name, imported[name])
		}
	}
	if compiles != 8 { // pilot-discovery for 2 image platforms, istioctl for 6 archives
		t.Errorf("saw %d compile steps, want 8", compiles)
	}
}

// importedVertices are the steps whose result BuildKit pulled from an
// imported cache rather than running them: their progress shows the
// result's layer being fetched and extracted.
func importedVertices(t *testing.T, rawjson string) map[string]bool {
	t.Helper()
	names, out := map[string]string{}, map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct{ Digest, Name string }
			Statuses []struct{ Vertex, ID string }
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, v := range status.Vertexes {
			names[v.Digest] = v.Name
		}
		for _, st := range status.Statuses {
			if strings.HasPrefix(st.ID, "sha256:") || strings.HasPrefix(st.ID, "extracting sha256:") {
				out[names[st.Vertex]] = true
			}
		}
	}
	return out
}
