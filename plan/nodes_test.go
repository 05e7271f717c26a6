package plan_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
)

// node is a BuildKit node native to its first platform; goImage empty
// means the Go image has no variant for it.
func node(addr, goImage string, pls []string, named ...string) plan.Node {
	n := plan.Node{Address: addr, GoImage: goImage}
	for _, s := range pls {
		n.Platforms = append(n.Platforms, platforms.MustParse(s))
	}
	for _, s := range named {
		n.For = append(n.For, platforms.MustParse(s))
	}
	return n
}

// assignPlan has one image built for imagePlatforms and one binary per
// entry of binaryPlatforms, in that order.
func assignPlan(imagePlatforms, binaryPlatforms []string) plan.Plan {
	img := plan.Image{Name: "pilot", Variant: "debug"}
	for _, s := range imagePlatforms {
		img.Platforms = append(img.Platforms, plan.ImagePlatform{Platform: platforms.MustParse(s), Binaries: []string{"pilot-discovery"}})
	}
	p := plan.Plan{Images: []plan.Image{img}}
	for _, s := range binaryPlatforms {
		p.Binaries = append(p.Binaries, plan.Binary{Name: "pilot-discovery", Platform: platforms.MustParse(s)})
	}
	return p
}

var (
	amdPls = []string{"linux/amd64", "linux/arm64"} // native amd64, arm64 under QEMU
	armPls = []string{"linux/arm64"}
)

func TestAssign(t *testing.T) {
	both := []string{"linux/amd64", "linux/arm64"}
	cross := []string{"darwin/amd64", "darwin/arm64", "windows/amd64", "linux/arm/v7"}
	for _, tc := range []struct {
		name         string
		nodes        []plan.Node
		images       []string
		binaries     []string
		wantImages   []string // node per image platform
		wantBinaries []string // node per binary
		wantErr      string
	}{{
		name:         "one node builds and compiles everything",
		nodes:        []plan.Node{node("def", "go@amd", amdPls)},
		images:       both,
		binaries:     append(both, cross...),
		wantImages:   []string{"def", "def"},
		wantBinaries: []string{"def", "def", "def", "def", "def", "def"},
	}, {
		name:         "native compile on the node named for the platform",
		nodes:        []plan.Node{node("def", "go@amd", amdPls), node("arm", "go@arm", armPls, "linux/arm64")},
		images:       both,
		binaries:     both,
		wantImages:   []string{"def", "arm"},
		wantBinaries: []string{"def", "arm"},
	}, {
		name:         "no Go on the named node: cross-compiled where Go runs",
		nodes:        []plan.Node{node("def", "go@amd", amdPls), node("arm", "", armPls, "linux/arm64")},
		images:       both,
		binaries:     both,
		wantImages:   []string{"def", "arm"},
		wantBinaries: []string{"def", "def"},
	}, {
		name:         "cross compiles go to the least loaded, the earlier on a tie",
		nodes:        []plan.Node{node("def", "go@amd", amdPls), node("arm", "go@arm", armPls, "linux/arm64")},
		binaries:     cross,
		wantBinaries: []string{"def", "arm", "def", "arm"},
	}, {
		name:         "native compiles count towards the load",
		nodes:        []plan.Node{node("def", "go@amd", amdPls), node("arm", "go@arm", armPls, "linux/arm64")},
		images:       both,
		binaries:     []string{"linux/amd64", "linux/amd64", "darwin/amd64", "darwin/arm64", "windows/amd64"},
		wantImages:   []string{"def", "arm"},
		wantBinaries: []string{"def", "def", "arm", "arm", "def"},
	}, {
		name:         "native only on the node its image platform is on",
		nodes:        []plan.Node{node("def", "go@amd", amdPls), node("arm", "go@arm", []string{"linux/arm64", "linux/arm/v7"}, "linux/arm/v7")},
		images:       both,
		binaries:     []string{"linux/arm64"},
		wantImages:   []string{"def", "def"},
		wantBinaries: []string{"def"}, // a tie: arm64 builds on def, so it is not native on arm
	}, {
		name:     "Go on no node",
		nodes:    []plan.Node{node("def", "", amdPls), node("arm", "", armPls, "linux/arm64")},
		binaries: both,
		wantErr:  "has no variant for the native platform of any BuildKit node (linux/amd64, linux/arm64)",
	}, {
		name:     "a node named for a platform it cannot build",
		nodes:    []plan.Node{node("def", "go@amd", amdPls), node("ppc", "go@ppc", []string{"linux/ppc64le"}, "linux/arm64")},
		images:   both,
		binaries: both,
		wantErr:  "BuildKit node ppc cannot build linux/arm64",
	}, {
		name:    "no node",
		wantErr: "no BuildKit node",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			p := assignPlan(tc.images, tc.binaries)
			before := p.Clone()
			got, err := plan.Assign(p, tc.nodes)
			if !reflect.DeepEqual(p, before) {
				t.Errorf("Assign changed its input plan")
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Nodes, tc.nodes) {
				t.Errorf("plan nodes %v, want %v", got.Nodes, tc.nodes)
			}
			if ips := imageNodes(got); !reflect.DeepEqual(ips, tc.wantImages) {
				t.Errorf("image platforms on %v, want %v", ips, tc.wantImages)
			}
			if bins := compileNodes(t, got); !reflect.DeepEqual(bins, tc.wantBinaries) {
				t.Errorf("binaries on %v, want %v", bins, tc.wantBinaries)
			}
		})
	}
}

func imageNodes(p plan.Plan) []string {
	var out []string
	for _, ip := range p.Images[0].Platforms {
		out = append(out, ip.Node)
	}
	return out
}

// compileNodes lists each binary's node, checking it compiles there on the
// node's native platform in the node's Go image.
func compileNodes(t *testing.T, p plan.Plan) []string {
	t.Helper()
	byAddr := map[string]plan.Node{}
	for _, n := range p.Nodes {
		byAddr[n.Address] = n
	}
	var out []string
	for _, b := range p.Binaries {
		n, ok := byAddr[b.Node]
		if !ok {
			t.Fatalf("%s on %q, not a node of the plan", platforms.Format(b.Platform), b.Node)
		}
		if !reflect.DeepEqual(b.BuildPlatform, n.Native()) || b.GoImage != n.GoImage || b.GoImage == "" {
			t.Errorf("%s on %s: build platform %s, Go image %q; want %s, %q",
				platforms.Format(b.Platform), b.Node, platforms.Format(b.BuildPlatform), b.GoImage, platforms.Format(n.Native()), n.GoImage)
		}
		out = append(out, b.Node)
	}
	return out
}
