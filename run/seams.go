package run

import (
	"context"

	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Solver is one BuildKit node as Run uses it: it solves, exports, and
// lists the source files a compile reaches; *buildkit.Client implements it.
type Solver interface {
	source.TreeReader
	// Solve runs def (or opt's frontend) sharing locals, and returns the
	// exporter response.
	Solve(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string) (map[string]string, error)
	// ExportUnlessKept solves def and exports file to opt's local export
	// directory, unless that holds the same file from an earlier export; it
	// says whether it sent the file. It calls solved once def is solved,
	// before the export.
	ExportUnlessKept(ctx context.Context, def *llb.Definition, opt client.SolveOpt, locals map[string]string, file string, solved func()) (bool, error)
}

// Solvers are the nodes of a run by address, as plan steps name them.
type Solvers map[string]Solver

// Sink is where a run's images go: a registry (publish.Publisher) or a
// local check that pushes nothing (publish.Local).
type Sink interface {
	// Target says how BuildKit writes one platform image of repo.
	Target(repo string, pl ocispecs.Platform) (publish.Target, error)
	publish.Stages
}

// Finisher is a Sink that completes itself once every tag has moved, as
// ko's publisher has Close: an OCI layout writes its lock from the hashes
// the run checked, its contents file, and its tarball.
type Finisher interface {
	Finish(ctx context.Context, res Result) error
}

// Reporter shows istio-mab's own steps beside BuildKit's; *buildkit.Progress
// implements it.
type Reporter interface {
	Step(name string) (done func(error))
}

type quiet struct{}

func (quiet) Step(string) func(error) { return func(error) {} }
