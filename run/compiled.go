package run

import (
	"maps"
	"slices"
	"sync"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/moby/buildkit/client/llb"
)

// compiledStates are the compiles of a run whose result stays in BuildKit:
// an image built on the node that compiled its binary copies the binary from
// that node's cache, instead of the client exporting tens of MB and sending
// them back. publish checks the binaries in every image before tags move.
type compiledStates struct {
	mu     sync.Mutex
	byNode map[string]map[string]llb.State // node -> compile.Path -> result
}

func newCompiledStates() *compiledStates {
	return &compiledStates{byNode: map[string]map[string]llb.State{}}
}

func (c *compiledStates) put(b plan.Binary, result llb.State) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byNode[b.Node] == nil {
		c.byNode[b.Node] = map[string]llb.State{}
	}
	c.byNode[b.Node][compile.Path(b)] = result
}

// onNode are the results kept on node, by compile.Path.
func (c *compiledStates) onNode(node string) map[string]llb.State {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.byNode[node])
}

// staysOnNode says b goes only into images built where it compiles, so the
// client never needs its bytes: no archive holds it, and no other node does.
func staysOnNode(p plan.Plan, b plan.Binary) bool {
	used := false
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			if !plan.SamePlatform(ip.Platform, b.Platform) || !slices.Contains(ip.Binaries, b.Name) {
				continue
			}
			if ip.Node != b.Node {
				return false
			}
			used = true
		}
	}
	for _, a := range p.Archives {
		if b.Name == "istioctl" && plan.SamePlatform(a.Platform, b.Platform) {
			return false
		}
	}
	return used
}
