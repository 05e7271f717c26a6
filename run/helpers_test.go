package run

import (
	"path/filepath"
	"testing"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run/fakenode"
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
func runRequest(t *testing.T, host string, nodes ...string) resolve.Request {
	t.Helper()
	dir, err := filepath.Abs("../e2e/testdata/fixture/1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	r := fixtureRecipe(t)
	r.Archives = nil
	req := resolve.Request{
		Options: plan.Options{
			Version: "1.22.0", Hub: host + "/istio", Platforms: []ocispecs.Platform{amd64, arm64},
			Source: plan.Source{Dir: dir}, Push: true,
		},
		Recipe: r,
		Stage:  t.TempDir(),
	}
	for i, addr := range nodes {
		nr := resolve.NodeRequest{Address: addr}
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

func resolveTwo(t *testing.T, req resolve.Request, def, arm *fakenode.Node) plan.Plan {
	t.Helper()
	p, err := resolve.Resolve(t.Context(), req, resolve.Nodes{defaultNode: def, armNode: arm})
	if err != nil {
		t.Fatal(err)
	}
	return p
}
