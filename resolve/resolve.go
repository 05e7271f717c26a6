package resolve

import (
	"context"
	"fmt"
	"os"
	"strings"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/resolve/source"
	"golang.org/x/sync/errgroup"
)

// Request is what Resolve turns into a plan.
type Request struct {
	Options plan.Options
	Recipe  recipes.Recipe
	// Nodes are the addresses of the BuildKit nodes, the default first,
	// each with the image platforms it was named for.
	Nodes []NodeRequest
	// Stage is a directory the caller owns for local files the plan refers
	// to (copies of --envoy files), alive until Run ends.
	Stage string
}

// NodeRequest is one node the user named.
type NodeRequest struct {
	Address string
	For     []ocispecs.Platform // image platforms; none for the default node
}

// Resolve reads the source's facts, finds each node's platforms and Go
// image, assigns every step to a node, pins every image each node will
// pull, and stages local files. The plan it returns is complete: Run
// decides nothing and changes nothing in it.
func Resolve(ctx context.Context, req Request, solvers Nodes) (plan.Plan, error) {
	nodes, err := findNodes(ctx, req, solvers)
	if err != nil {
		return plan.Plan{}, err
	}
	o := req.Options
	o.BuildPlatform = nodes[0].Native()
	facts, err := readFacts(ctx, req, solvers[nodes[0].Address])
	if err != nil {
		return plan.Plan{}, err
	}
	p, err := plan.New(o, req.Recipe, facts)
	if err != nil {
		return plan.Plan{}, err
	}
	if p, err = plan.Assign(p, nodes); err != nil {
		return plan.Plan{}, err
	}
	if p, err = pinImages(ctx, p, solvers); err != nil {
		return plan.Plan{}, err
	}
	if p.Inputs.Digest, err = recordedDigest(req, facts); err != nil {
		return plan.Plan{}, err
	}
	if p, err = stageCABundle(p, req.Stage); err != nil {
		return plan.Plan{}, err
	}
	return stageEnvoyFiles(p, req.Stage)
}

func readFacts(ctx context.Context, req Request, s Node) (plan.Facts, error) {
	r := req.Recipe
	layout := source.Layout{Required: recipes.RequiredPaths(r), Dockerfiles: recipes.Dockerfiles(r)}
	src := req.Options.Source
	if src.Dir == "" {
		return source.GitFacts(ctx, s, src, req.Options.Version, layout)
	}
	if _, err := os.Stat(src.Dir); err != nil {
		return plan.Facts{}, fmt.Errorf("--source %s: %w", src.Dir, err)
	}
	return source.DirFacts(ctx, src.Dir, req.Options.Version, layout)
}

// findNodes asks every node, concurrently, for its platforms and for the Go
// image on its native platform.
func findNodes(ctx context.Context, req Request, solvers Nodes) ([]plan.Node, error) {
	nodes := make([]plan.Node, len(req.Nodes))
	g, ctx := errgroup.WithContext(ctx)
	for i, nr := range req.Nodes {
		g.Go(func() (err error) {
			nodes[i], err = findNode(ctx, nr, solvers[nr.Address], req.goImage())
			return err
		})
	}
	return nodes, g.Wait()
}

func (req Request) goImage() string {
	if req.Options.GoImage != "" {
		return req.Options.GoImage
	}
	return req.Recipe.GoImage
}

func findNode(ctx context.Context, nr NodeRequest, s Node, goImage string) (plan.Node, error) {
	if s == nil {
		return plan.Node{}, fmt.Errorf("BuildKit node %s is not connected", nr.Address)
	}
	n := plan.Node{Address: nr.Address, For: nr.For}
	var err error
	if n.Platforms, err = s.Platforms(ctx); err != nil {
		return plan.Node{}, err
	}
	pinned, err := s.Pin(ctx, []buildkit.ImageRef{{Ref: goImage, Platform: n.Native()}})
	switch {
	case err != nil && len(nr.For) == 0:
		return plan.Node{}, err // the default node must run Go
	case err == nil && plan.SamePlatform(n.Native(), pinned[0].Platform):
		n.GoImage = pinned[0].Ref
		n.GoVersion = envValue(pinned[0].Env, "GOLANG_VERSION")
	}
	// Otherwise the image has no variant for this node: it compiles nothing.
	return n, nil
}

// ResolveLocal resolves a directory source without any BuildKit node, for
// `plan` and dry runs: facts come from the directory, compiles are planned
// on buildPlatform, and nothing is pinned, staged or assigned to a node.
func ResolveLocal(ctx context.Context, req Request, buildPlatform ocispecs.Platform) (plan.Plan, error) {
	if req.Options.Source.Dir == "" {
		return plan.Plan{}, fmt.Errorf("resolving without a BuildKit node needs a directory --source: a git source is read through the node")
	}
	facts, err := readFacts(ctx, req, nil)
	if err != nil {
		return plan.Plan{}, err
	}
	o := req.Options
	o.BuildPlatform = buildPlatform
	return plan.New(o, req.Recipe, facts)
}

func envValue(env []string, key string) string {
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, key+"="); ok {
			return v
		}
	}
	return ""
}
