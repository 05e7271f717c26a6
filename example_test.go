package istiomab

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/registry"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/fakenode"
)

// A platform team's release tool rebuilds Istio 1.22.0 for amd64 and arm64
// into its own registry with one call. Here the registry is in memory and
// the BuildKit node a fake (withNodes); a real program names its node, e.g.
// unix:///run/buildkit/buildkitd.sock, and leaves withNodes out.
func ExampleBuild() {
	reg := httptest.NewServer(registry.New())
	defer reg.Close()
	host := strings.TrimPrefix(reg.URL, "http://")
	src, _ := filepath.Abs("e2e/testdata/fixture/1.22.0") // an Istio checkout, or a git URL
	dist, _ := os.MkdirTemp("", "istio-dist-")
	defer os.RemoveAll(dist)

	const addr = "unix:///run/buildkit/buildkitd.sock"
	req := BuildRequest{
		Options: plan.Options{
			Version:   "1.22.0",
			Hub:       host + "/istio",
			Platforms: []ocispecs.Platform{platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")},
			Source:    plan.Source{Dir: src},
			Push:      true,
		},
		Nodes:      []Node{{Address: addr}},
		Registries: Registries{Insecure: []string{host}},
		Dist:       dist,
	}
	res, err := Build(context.Background(), req, withNodes(map[string]node{addr: fakenode.New("linux/amd64", "linux/arm64")}))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, pub := range res.Published {
		fmt.Println(strings.TrimPrefix(pub.Repository, host+"/"), len(pub.Platforms), "platforms, tags", pub.Tags[0].Tag, pub.Tags[1].Tag)
	}
	fmt.Println(len(res.Archives), "istioctl archives")
	// Output:
	// istio/pilot 2 platforms, tags 1.22.0 1.22.0-debug
	// istio/proxyv2 2 platforms, tags 1.22.0 1.22.0-debug
	// 8 istioctl archives
}
