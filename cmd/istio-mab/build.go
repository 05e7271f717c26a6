package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/istio-mab/istio-mab/builder"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/lock"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/publish"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"
)

func newBuildCommand() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build --version VERSION --hub REGISTRY/NAMESPACE",
		Short: "Build an Istio release's images for every platform and publish manifest lists",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			if err := runBuild(cmd, o); err != nil {
				// BuildKit's errors quote fetched URLs verbatim, credentials included.
				return errors.New(plan.Scrub(err.Error(), plan.Secrets(o.plan.SecretURLs()...)))
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// runBuild is flags -> options -> Resolve -> Run -> summary.
func runBuild(cmd *cobra.Command, o buildOptions) error {
	ctx := cmd.Context()
	r, err := precheck(cmd, o)
	if err != nil {
		return err
	}
	prog, err := buildkit.NewProgress(ctx, cmd.ErrOrStderr(), o.progress, plan.Secrets(o.plan.SecretURLs()...))
	if err != nil {
		return err
	}
	p, res, runErr := connectAndRun(ctx, o, r, prog)
	if err := prog.Close(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return runErr
	}
	if o.dryRun {
		plan.Render(cmd.OutOrStdout(), p)
	} else {
		printSummary(cmd.OutOrStdout(), p, res)
	}
	return nil
}

func connectAndRun(ctx context.Context, o buildOptions, r recipes.Recipe, prog *buildkit.Progress) (plan.Plan, builder.Result, error) {
	solvers, closeAll, err := connect(ctx, o, prog)
	if err != nil {
		return plan.Plan{}, builder.Result{}, err
	}
	defer closeAll()
	stage, err := os.MkdirTemp("", "istio-mab-stage-")
	if err != nil {
		return plan.Plan{}, builder.Result{}, err
	}
	defer os.RemoveAll(stage)
	p, err := builder.Resolve(ctx, builder.Request{Options: o.plan, Recipe: r, Nodes: o.nodes, Stage: stage}, solvers)
	if err == nil && o.out.lock != nil {
		p, err = lock.Apply(p, r.Line, *o.out.lock)
	}
	if err != nil || o.dryRun {
		return p, builder.Result{}, err
	}
	sink, err := newSink(o, stage)
	if err != nil {
		return p, builder.Result{}, err
	}
	res, err := builder.Run(ctx, p, solvers, sink, builder.Settings{Dist: o.dist, Jobs: o.jobs, Progress: prog})
	if err == nil && o.out.set() {
		err = o.out.finish(ctx, p, r.Line, res)
	}
	return p, res, err
}

// newSink is the registry, an OCI layout (--output), or with --push=false
// a local check.
func newSink(o buildOptions, stage string) (builder.Sink, error) {
	if o.out.set() {
		return o.out.sink(o.plan.Hub, stage+"/oci")
	}
	if !o.plan.Push {
		return publish.NewLocal(stage + "/oci"), nil
	}
	return publish.New(o.access)
}

// precheck selects the recipe and runs the cheap checks before any node is
// dialled: the plan as far as it is known, then push access.
func precheck(cmd *cobra.Command, o buildOptions) (recipes.Recipe, error) {
	sel, err := recipes.Select(o.plan.Version)
	if err != nil {
		return recipes.Recipe{}, err
	}
	if sel.Warning != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", sel.Warning)
	}
	pre, err := plan.New(o.plan, sel.Recipe, plan.Facts{})
	if err != nil {
		return recipes.Recipe{}, err
	}
	return sel.Recipe, checkPushAccess(cmd.Context(), o, pre)
}

// connect dials every node at once; one that does not answer fails the run,
// named, before anything is built.
func connect(ctx context.Context, o buildOptions, prog *buildkit.Progress) (builder.Solvers, func(), error) {
	clients := make([]*buildkit.Client, len(o.nodes))
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range o.nodes {
		g.Go(func() (err error) {
			clients[i], err = buildkit.Connect(gctx, n.Address, o.tls[n.Address], prog)
			return err
		})
	}
	err := g.Wait()
	solvers := builder.Solvers{}
	closeAll := func() {
		for _, c := range clients {
			if c != nil {
				c.Close()
			}
		}
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	for _, c := range clients {
		solvers[c.Address()] = c
	}
	return solvers, closeAll, nil
}

func checkPushAccess(ctx context.Context, o buildOptions, p plan.Plan) error {
	if !o.plan.Push || o.dryRun {
		return nil
	}
	seen := map[string]bool{}
	for _, img := range p.Images {
		if !seen[img.Repository] {
			seen[img.Repository] = true
			if err := o.access.CheckPush(ctx, img.Repository); err != nil {
				return err
			}
		}
	}
	return nil
}
