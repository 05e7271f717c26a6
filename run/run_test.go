package run

import (
	"errors"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run/fakenode"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
)

// testRegistry serves an in-memory registry over plain HTTP, its handler
// wrapped by wrap when not nil, and returns its host:port.
func testRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir()) // keep the developer's credentials out
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// refuseProxyv2Lists answers 400 to every push of a manifest list of
// proxyv2, the second image: pilot's list is accepted first.
func refuseProxyv2Lists(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt := types.MediaType(r.Header.Get("Content-Type"))
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/istio/proxyv2/manifests/") && mt.IsIndex() {
			http.Error(w, `{"errors":[{"code":"MANIFEST_INVALID","message":"lists refused"}]}`, http.StatusBadRequest)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// registrySink is the real publisher, trusting host over plain HTTP.
func registrySink(t *testing.T, host string) *publish.Publisher {
	t.Helper()
	access, err := registry.New(registry.WithInsecure(host))
	if err != nil {
		t.Fatal(err)
	}
	p, err := publish.New(access)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// resolveOne resolves the fixture on one fake node pushing to host.
func resolveOne(t *testing.T, host string, node *fakenode.Node) plan.Plan {
	t.Helper()
	p, err := resolve.Resolve(t.Context(), runRequest(t, host, defaultNode), resolve.Nodes{defaultNode: node})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runOn(t *testing.T, p plan.Plan, solvers Solvers, host string) (Result, error) {
	t.Helper()
	return Run(t.Context(), p, solvers, registrySink(t, host), Settings{Jobs: 2})
}

// tagRef is repo:tag of a plan image, over plain HTTP.
func tagRef(t *testing.T, img plan.Image, tag string) name.Tag {
	t.Helper()
	ref, err := name.NewTag(img.Repository+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// assertNoTags checks the registry answers 404 for every tag of p.
func assertNoTags(t *testing.T, p plan.Plan) {
	t.Helper()
	for _, img := range p.Images {
		for _, tag := range img.Tags {
			_, err := remote.Head(tagRef(t, img, tag), remote.WithContext(t.Context()))
			var terr *transport.Error
			if !errors.As(err, &terr) || terr.StatusCode != http.StatusNotFound {
				t.Errorf("%s:%s after a failed run: got %v, want 404", img.Repository, tag, err)
			}
		}
	}
}

// assertPublished checks every tag of p is a manifest list with one entry,
// with its platform, for each of the image's platforms.
func assertPublished(t *testing.T, p plan.Plan) {
	t.Helper()
	for _, img := range p.Images {
		var want []string
		for _, ip := range img.Platforms {
			want = append(want, platforms.Format(ip.Platform))
		}
		for _, tag := range img.Tags {
			idx, err := remote.Index(tagRef(t, img, tag), remote.WithContext(t.Context()))
			if err != nil {
				t.Fatalf("%s:%s: %v", img.Repository, tag, err)
			}
			im, err := idx.IndexManifest()
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range im.Manifests {
				if m.Platform == nil || m.Platform.OS == "" || m.Platform.Architecture == "" {
					t.Errorf("%s:%s: entry %s has no platform", img.Repository, tag, m.Digest)
					continue
				}
				got = append(got, m.Platform.String())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s:%s: list platforms %v, want %v", img.Repository, tag, got, want)
			}
		}
	}
}

func TestRunPublishesEveryTagAsAPlatformList(t *testing.T) {
	host := testRegistry(t, nil)
	node := fakenode.New("linux/amd64", "linux/arm64")
	p := resolveOne(t, host, node)
	res, err := runOn(t, p, Solvers{defaultNode: node}, host)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Published) != len(p.Images) || len(p.Images) != 2 {
		t.Fatalf("published %d images of %d, want pilot and proxyv2", len(res.Published), len(p.Images))
	}
	assertPublished(t, p)
	for i, r := range res.Published {
		for _, tag := range p.Images[i].Tags {
			d, err := remote.Head(tagRef(t, p.Images[i], tag), remote.WithContext(t.Context()))
			if err != nil || d.Digest != r.Index.Digest {
				t.Errorf("%s:%s is %v (%v), want the list Run reports, %s", r.Repository, tag, d, err, r.Index.Digest)
			}
		}
	}
}

func TestRunLeavesThePlanUnchanged(t *testing.T) {
	host := testRegistry(t, nil)
	node := fakenode.New("linux/amd64", "linux/arm64")
	p := resolveOne(t, host, node)
	before := p.Clone()
	if _, err := runOn(t, p, Solvers{defaultNode: node}, host); err != nil {
		t.Fatal(err)
	}
	for _, f := range changedFields(before, p) {
		t.Errorf("Run changed the plan's %s", f)
	}
}

// changedFields names the fields of two plans that differ.
func changedFields(a, b plan.Plan) []string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, va.Type().Field(i).Name)
		}
	}
	return out
}

func TestRunFailureMovesNoTag(t *testing.T) {
	for _, tc := range []struct {
		name     string
		breakFn  func(*fakenode.Node)
		wrap     func(http.Handler) http.Handler
		wantErr  []string
		wantCode int
		noImages bool // the failure comes before any image is built
	}{{
		name:     "compile fails",
		breakFn:  func(n *fakenode.Node) { n.Fail[fakenode.Compile] = errors.New("go build exploded") },
		wantErr:  []string{"compiling pilot-discovery for linux/amd64 on " + defaultNode, "go build exploded"},
		wantCode: failure.CodeBuild,
		noImages: true,
	}, {
		name:     "image solve fails",
		breakFn:  func(n *fakenode.Node) { n.Fail[fakenode.Image] = errors.New("dockerfile exploded") },
		wantErr:  []string{"building ", " on " + defaultNode, "dockerfile exploded"},
		wantCode: failure.CodeBuild,
	}, {
		name:     "registry refuses the second list",
		wrap:     refuseProxyv2Lists,
		wantErr:  []string{"pushing ", "/istio/proxyv2@sha256:", "refused the manifest list's media type"},
		wantCode: failure.CodeRegistry,
	}, {
		name:     "arm64 proxyv2 holds an amd64 envoy",
		breakFn:  func(n *fakenode.Node) { n.EnvoyFor["linux/arm64"] = "linux/amd64" },
		wantErr:  []string{"verifying linux/arm64 image", "/istio/proxyv2@", "/usr/local/bin/envoy", "want linux/arm64"},
		wantCode: failure.CodeVerify,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			host := testRegistry(t, tc.wrap)
			node := fakenode.New("linux/amd64", "linux/arm64")
			p := resolveOne(t, host, node)
			if tc.breakFn != nil {
				tc.breakFn(node)
			}
			before := p.Clone()
			_, err := runOn(t, p, Solvers{defaultNode: node}, host)
			for _, f := range changedFields(before, p) {
				t.Errorf("the failed Run changed the plan's %s", f)
			}
			if err == nil {
				t.Fatal("Run succeeded")
			}
			for _, want := range tc.wantErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
			if got := failure.Code(err); got != tc.wantCode {
				t.Errorf("exit code %d, want %d (%v)", got, tc.wantCode, err)
			}
			if got := node.SolvesOf(fakenode.Image); tc.noImages && len(got) > 0 {
				t.Errorf("%d images built after the failure", len(got))
			}
			assertNoTags(t, p)
		})
	}
}

// assertSolves checks the platforms of a node's solves of one kind, in any order.
func assertSolves(t *testing.T, node string, n *fakenode.Node, kind fakenode.Kind, want ...string) {
	t.Helper()
	var got []string
	for _, s := range n.SolvesOf(kind) {
		got = append(got, s.Platform)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s %s solves: %q, want %q", node, kind, got, want)
	}
}

// assertCompile checks a node compiled exactly built, one solve each, on buildOn.
func assertCompile(t *testing.T, node string, n *fakenode.Node, buildOn string, built ...string) {
	t.Helper()
	var got []string
	for _, s := range n.SolvesOf(fakenode.Compile) {
		if s.BuildOn != buildOn {
			t.Errorf("%s compiled %q on %s, want on %s", node, s.Built, s.BuildOn, buildOn)
		}
		got = append(got, s.Built...)
	}
	slices.Sort(got)
	slices.Sort(built)
	if !slices.Equal(got, built) {
		t.Errorf("%s compiled %q, want %q", node, got, built)
	}
}

// assertKept checks which of n's compiles stayed in its cache, for the
// images there to copy, rather than being exported to the client.
func assertKept(t *testing.T, node string, n *fakenode.Node, kept ...string) {
	t.Helper()
	var got []string
	for _, s := range n.SolvesOf(fakenode.Compile) {
		if s.Kept {
			got = append(got, s.Built...)
		}
	}
	slices.Sort(got)
	slices.Sort(kept)
	if !slices.Equal(got, kept) {
		t.Errorf("%s kept the compiles of %q, want %q", node, got, kept)
	}
}

func TestRunBuildsEachStepOnItsNode(t *testing.T) {
	const da, aa, dr, ar = "pilot-discovery linux/amd64", "pilot-agent linux/amd64", "pilot-discovery linux/arm64", "pilot-agent linux/arm64"
	t.Run("Go image with an arm64 variant", func(t *testing.T) {
		host := testRegistry(t, nil)
		def, arm := twoNodes(true)
		p := resolveTwo(t, runRequest(t, host, defaultNode, armNode), def, arm)
		if _, err := runOn(t, p, Solvers{defaultNode: def, armNode: arm}, host); err != nil {
			t.Fatal(err)
		}
		assertCompile(t, defaultNode, def, "linux/amd64", da, aa)
		assertCompile(t, armNode, arm, "linux/arm64", dr, ar)
		assertKept(t, defaultNode, def, da, aa)
		assertKept(t, armNode, arm, dr, ar)
		assertSolves(t, defaultNode, def, fakenode.Image, "linux/amd64", "linux/amd64")
		assertSolves(t, armNode, arm, fakenode.Image, "linux/arm64", "linux/arm64")
		assertSolves(t, defaultNode, def, fakenode.Envoy, "linux/amd64")
		assertSolves(t, armNode, arm, fakenode.Envoy, "linux/arm64")
		assertPublished(t, p)
	})
	t.Run("amd64-only Go image", func(t *testing.T) {
		host := testRegistry(t, nil)
		def, arm := twoNodes(false)
		p := resolveTwo(t, runRequest(t, host, defaultNode, armNode), def, arm)
		if _, err := runOn(t, p, Solvers{defaultNode: def, armNode: arm}, host); err != nil {
			t.Fatal(err)
		}
		assertCompile(t, defaultNode, def, "linux/amd64", da, aa, dr, ar)
		// arm64's binaries go to the other node's images through the client.
		assertKept(t, defaultNode, def, da, aa)
		assertSolves(t, armNode, arm, fakenode.Compile)
		assertSolves(t, defaultNode, def, fakenode.Image, "linux/amd64", "linux/amd64")
		assertSolves(t, armNode, arm, fakenode.Image, "linux/arm64", "linux/arm64")
		assertPublished(t, p)
	})
}
