package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Node is a BuildKit node a run may use, as Resolve found it.
type Node struct {
	Address string `json:"address"`
	// Platforms are what its workers build, the first being native.
	Platforms []ocispecs.Platform `json:"platforms"`
	// For are the image platforms it was named for (--builder); none for
	// the default node, which builds every other platform.
	For []ocispecs.Platform `json:"for,omitempty"`
	// GoImage is the Go builder image pinned for its native platform, or
	// empty when that image has no variant for it: Go then never runs there,
	// so nothing compiles under emulation.
	GoImage string `json:"goImage,omitempty"`
	// GoVersion is the Go that image holds, as its config's GOLANG_VERSION
	// says (the golang images set it); empty when it does not say.
	GoVersion string `json:"goVersion,omitempty"`
}

// Native is the platform the node's own CPU runs.
func (n Node) Native() ocispecs.Platform { return n.Platforms[0] }

// Assign puts every step of p on one of nodes (the default node first) and
// returns a new plan; p is not changed. The rule:
//   - an image platform builds on the node named for it, else on the default node;
//   - a binary compiles natively on its image platform's node when that node's
//     native platform is the binary's and Go runs there; otherwise it
//     cross-compiles on the node running Go with the fewest compiles so far
//     (the earlier node on a tie).
func Assign(p Plan, nodes []Node) (Plan, error) {
	if len(nodes) == 0 {
		return Plan{}, fmt.Errorf("no BuildKit node to build on")
	}
	out := p.Clone()
	out.Nodes = slices.Clone(nodes)
	for i := range out.Images {
		for j := range out.Images[i].Platforms {
			ip := &out.Images[i].Platforms[j]
			n, err := imageNode(nodes, ip.Platform)
			if err != nil {
				return Plan{}, err
			}
			ip.Node = n.Address
		}
	}
	load := make([]int, len(nodes))
	for i := range out.Binaries {
		k, err := compileNode(nodes, load, out.Binaries[i].Platform)
		if err != nil {
			return Plan{}, err
		}
		load[k]++
		b := &out.Binaries[i]
		b.Node, b.BuildPlatform, b.GoImage, b.GoVersion = nodes[k].Address, nodes[k].Native(), nodes[k].GoImage, nodes[k].GoVersion
	}
	return out, nil
}

// imageNode is the node named for pl, else the default one; it must build pl.
func imageNode(nodes []Node, pl ocispecs.Platform) (Node, error) {
	n := nodes[0]
	for _, cand := range nodes[1:] {
		if slices.ContainsFunc(cand.For, samePlatform(pl)) {
			n = cand
		}
	}
	if !slices.ContainsFunc(n.Platforms, samePlatform(pl)) {
		return Node{}, fmt.Errorf("BuildKit node %s cannot build %s (its workers build %s): name a node for it with --builder %s=ADDRESS, or add QEMU binfmt there",
			n.Address, platforms.Format(pl), FormatAll(n.Platforms), platforms.Format(pl))
	}
	return n, nil
}

func compileNode(nodes []Node, load []int, pl ocispecs.Platform) (int, error) {
	if n, err := imageNode(nodes, pl); err == nil && n.GoImage != "" && samePlatform(pl)(n.Native()) {
		return slices.IndexFunc(nodes, func(c Node) bool { return c.Address == n.Address }), nil
	}
	best := -1
	for k, n := range nodes {
		if n.GoImage != "" && (best < 0 || load[k] < load[best]) {
			best = k
		}
	}
	if best < 0 {
		return 0, fmt.Errorf("the Go builder image has no variant for the native platform of any BuildKit node (%s): pass --go-image with one", nativeAll(nodes))
	}
	return best, nil
}

// samePlatform matches OS, architecture and variant after containerd's
// normalisation (arm64/v8 is arm64).
func samePlatform(want ocispecs.Platform) func(ocispecs.Platform) bool {
	return platforms.OnlyStrict(want).Match
}

// SamePlatform says whether a and b name one platform (arm64/v8 is arm64).
func SamePlatform(a, b ocispecs.Platform) bool { return samePlatform(a)(b) }

// FormatAll is pls as "linux/amd64, linux/arm64", for messages.
func FormatAll(pls []ocispecs.Platform) string {
	s := make([]string, len(pls))
	for i, pl := range pls {
		s[i] = platforms.Format(pl)
	}
	return strings.Join(s, ", ")
}

func nativeAll(nodes []Node) string {
	pls := make([]ocispecs.Platform, len(nodes))
	for i, n := range nodes {
		pls[i] = n.Native()
	}
	return FormatAll(pls)
}
