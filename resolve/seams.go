package resolve

import (
	"context"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/resolve/source"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Node is a BuildKit node as Resolve needs it: what it builds, the images
// it would pull, and the source tree it reads. *buildkit.Client implements it.
type Node interface {
	source.TreeReader
	// Platforms lists what the node builds, the first being native.
	Platforms(ctx context.Context) ([]ocispecs.Platform, error)
	// Pin resolves images through the node, as its builds will pull them.
	Pin(ctx context.Context, refs []buildkit.ImageRef) ([]buildkit.Pinned, error)
}

// Nodes are the nodes of a run by address, as plan steps name them.
type Nodes map[string]Node
