package resolve

import (
	"github.com/istio-mab/istio-mab/run/fakenode"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
)

const (
	defaultNode = "tcp://default:1234"
	armNode     = "tcp://arm64:1234"
)

var (
	amd64 = platforms.MustParse("linux/amd64")
	arm64 = platforms.MustParse("linux/arm64")
)

// fixtureRecipe is the 1.22 recipe, which the fixture tree is shaped for.
func fixtureRecipe(t *testing.T) recipes.Recipe {
	t.Helper()
	sel, err := recipes.Select("1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	return sel.Recipe
}

// runRequest builds every image of the fixture for linux/amd64 and
// linux/arm64 into host on nodes (the default first, by address), without
// istioctl archives: the fake writes executables only for those two
// platforms.
func runRequest(t *testing.T, host string, nodes ...string) Request {
	t.Helper()
	dir, err := filepath.Abs("../e2e/testdata/fixture/1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	r := fixtureRecipe(t)
	r.Archives = nil
	req := Request{
		Options: plan.Options{
			Version: "1.22.0", Hub: host + "/istio", Platforms: []ocispecs.Platform{amd64, arm64},
			Source: plan.Source{Dir: dir}, Push: true,
		},
		Recipe: r,
		Stage:  t.TempDir(),
	}
	for i, addr := range nodes {
		nr := NodeRequest{Address: addr}
		if i > 0 {
			nr.For = []ocispecs.Platform{arm64}
		}
		req.Nodes = append(req.Nodes, nr)
	}
	return req
}

// twoNodes are a default node building both platforms and a node native
// to linux/arm64 named for it; goArm64 says whether the Go image has an
// arm64 variant.
func twoNodes(goArm64 bool) (def, arm *fakenode.Node) {
	def, arm = fakenode.New("linux/amd64", "linux/arm64"), fakenode.New("linux/arm64")
	if !goArm64 {
		goImage := "docker.io/library/golang:1.22"
		def.ImagePlatforms[goImage] = []ocispecs.Platform{amd64}
		arm.ImagePlatforms[goImage] = []ocispecs.Platform{amd64}
	}
	return def, arm
}

func resolveTwo(t *testing.T, req Request, def, arm *fakenode.Node) plan.Plan {
	t.Helper()
	p, err := Resolve(t.Context(), req, Nodes{defaultNode: def, armNode: arm})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// binaryNodes maps "name os/arch" to "node on build-platform" for every binary.
func binaryNodes(p plan.Plan) map[string]string {
	out := map[string]string{}
	for _, b := range p.Binaries {
		out[b.Name+" "+platforms.Format(b.Platform)] = b.Node + " on " + platforms.Format(b.BuildPlatform)
	}
	return out
}

// assertImageNodes checks each arm64 image platform is on armNode, the rest on defaultNode.
func assertImageNodes(t *testing.T, p plan.Plan) {
	t.Helper()
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			want := defaultNode
			if plan.SamePlatform(ip.Platform, arm64) {
				want = armNode
			}
			if ip.Node != want {
				t.Errorf("%s for %s on %s, want %s", img.Name, platforms.Format(ip.Platform), ip.Node, want)
			}
		}
	}
}

func TestResolveCompilesNativelyAndSpreadsCrossCompiles(t *testing.T) {
	def, arm := twoNodes(true)
	req := runRequest(t, "registry.invalid", defaultNode, armNode)
	req.Recipe.Archives = fixtureRecipe(t).Archives // istioctl for eight platforms
	p := resolveTwo(t, req, def, arm)

	if !strings.HasPrefix(p.Nodes[1].GoImage, "docker.io/library/golang:1.22@sha256:") {
		t.Errorf("arm64 node Go image %q, want it pinned", p.Nodes[1].GoImage)
	}
	assertImageNodes(t, p)
	onDef, onArm := defaultNode+" on linux/amd64", armNode+" on linux/arm64"
	want := map[string]string{
		"pilot-discovery linux/amd64": onDef, "pilot-discovery linux/arm64": onArm,
		"pilot-agent linux/amd64": onDef, "pilot-agent linux/arm64": onArm,
		"istioctl linux/amd64": onDef, "istioctl linux/arm64": onArm,
		// No node builds these: least loaded, the default on a tie.
		"istioctl linux/arm/v7": onDef, "istioctl darwin/amd64": onArm,
		"istioctl darwin/arm64": onDef, "istioctl windows/amd64": onArm,
	}
	if got := binaryNodes(p); !reflect.DeepEqual(got, want) {
		t.Errorf("binaries on\n%v\nwant\n%v", got, want)
	}
	for _, b := range p.Binaries {
		if n := p.Nodes[slices.IndexFunc(p.Nodes, func(n plan.Node) bool { return n.Address == b.Node })]; b.GoImage != n.GoImage {
			t.Errorf("%s for %s in Go image %q, want its node's %q", b.Name, platforms.Format(b.Platform), b.GoImage, n.GoImage)
		}
	}
}

func TestResolveWithoutArm64GoCompilesEverythingOnTheDefaultNode(t *testing.T) {
	def, arm := twoNodes(false)
	p := resolveTwo(t, runRequest(t, "registry.invalid", defaultNode, armNode), def, arm)
	if p.Nodes[1].GoImage != "" {
		t.Errorf("arm64 node runs Go image %q, which has no arm64 variant", p.Nodes[1].GoImage)
	}
	assertImageNodes(t, p)
	for k, v := range binaryNodes(p) {
		if v != defaultNode+" on linux/amd64" {
			t.Errorf("%s compiles on %s, want the default node", k, v)
		}
	}
}

func TestResolveRefusesANodeThatCannotBuildItsPlatform(t *testing.T) {
	def, amd64Only := fakenode.New("linux/amd64", "linux/arm64"), fakenode.New("linux/amd64")
	_, err := Resolve(t.Context(), runRequest(t, "registry.invalid", defaultNode, armNode), Nodes{defaultNode: def, armNode: amd64Only})
	if err == nil || !strings.Contains(err.Error(), "BuildKit node "+armNode+" cannot build linux/arm64") {
		t.Fatalf("Resolve error %v, want it to name %s and linux/arm64", err, armNode)
	}
}
