package faults

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// faultEnv is a build of the fixture's pilot image whose hub is a fault
// proxy in front of the stack's plain registry, so BuildKit's pushes and
// istio-mab's own registry calls both pass through it.
type faultEnv struct {
	s     e2etest.Stack
	proxy *faultproxy.Proxy
	path  string // the hub's repository path, the same on the proxy and the registry
	seed  map[string]string
}

func newFaultEnv(t *testing.T) *faultEnv {
	t.Helper()
	s := e2etest.LoadStack(t)
	p, err := faultproxy.New("http://"+s.Registry, faultproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	e := &faultEnv{s: s, proxy: p, path: "e2e-fault-" + e2etest.RandomSuffix(t) + "/istio"}
	e.seed = seedTags(t, s, e.path)
	return e
}

// hub is what istio-mab is told: the proxy.
func (e *faultEnv) hub() string { return e.proxy.Host() + "/" + e.path }

// args build pilot at 1.22.0 into the proxy, which only --insecure-registry
// lets istio-mab speak plain HTTP to.
func (e *faultEnv) args(t *testing.T, extra ...string) []string {
	a := e2etest.StackArgs(e.s, "1.22.0", e.hub(), t.TempDir())
	if !slices.Contains(extra, "--images") { // given once: a list flag
		a = append(a, "--images", "pilot")
	}
	a = append(a, "--insecure-registry", e.proxy.Host(), "--progress", "plain")
	return append(a, extra...)
}

// run runs istio-mab and then checks the tag invariant; it returns the
// result and the tags that moved.
func (e *faultEnv) run(t *testing.T, extra ...string) (e2etest.Result, []string) {
	t.Helper()
	res := e2etest.RunIstioMab(t, e.args(t, extra...)...)
	return res, checkTagInvariant(t, e.s, e.path, e.seed)
}

// requireUnchanged fails unless the run failed and moved no tag.
func requireUnchanged(t *testing.T, res e2etest.Result, moved []string) {
	t.Helper()
	if res.Code == 0 {
		t.Errorf("istio-mab succeeded, want a failure")
	}
	if len(moved) > 0 {
		t.Errorf("tags moved on a failed run: %v", moved)
	}
}

// requireMoved fails unless the run succeeded and moved both of pilot's tags.
func requireMoved(t *testing.T, res e2etest.Result, moved []string) {
	t.Helper()
	if res.Code != 0 {
		t.Fatalf("exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 30))
	}
	if strings.Join(moved, ",") != "pilot:1.22.0,pilot:1.22.0-debug" {
		t.Errorf("moved tags %v, want pilot:1.22.0 and pilot:1.22.0-debug", moved)
	}
}

// errorLine is stderr's last line, where istio-mab writes its one-line error.
func errorLine(res e2etest.Result) string {
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	return lines[len(lines)-1]
}

// Request paths on the proxy, as regular expressions.
const (
	manifestPath = `^/v2/.+/manifests/`
	blobUpload   = `^/v2/.+/blobs/uploads/`
)

func re(s string) *regexp.Regexp { return regexp.MustCompile(s) }

// isListPut matches istio-mab's manifest list PUTs (OCI image indexes, the
// default media types); BuildKit pushes only platform manifests, by digest.
var isListPut = map[string]string{"Content-Type": string(types.OCIImageIndex)}

// archManifest matches a platform manifest PUT whose config, already
// uploaded, is for arch; it reads the config from the registry itself.
func archManifest(s e2etest.Stack, arch string) func(*http.Request, []byte) bool {
	return func(r *http.Request, body []byte) bool {
		var m v1.Manifest
		if json.Unmarshal(body, &m) != nil || m.Config.Digest.Hex == "" {
			return false
		}
		repo := strings.TrimPrefix(r.URL.Path[:strings.Index(r.URL.Path, "/manifests/")], "/v2/")
		resp, err := http.Get("http://" + s.Registry + "/v2/" + repo + "/blobs/" + m.Config.Digest.String())
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		var cfg v1.ConfigFile
		return json.NewDecoder(resp.Body).Decode(&cfg) == nil && cfg.Architecture == arch
	}
}

// listPuts counts the manifest list PUTs that reached the proxy.
func listPuts(p *faultproxy.Proxy) int {
	n := 0
	for _, r := range p.Requests() {
		if ct := types.MediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPut && ct.IsIndex() {
			n++
		}
	}
	return n
}
