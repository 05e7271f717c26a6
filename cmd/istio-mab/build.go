package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/istio-mab/istio-mab/builder"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/spf13/cobra"
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

func runBuild(cmd *cobra.Command, o buildOptions) error {
	ctx := cmd.Context()
	r, err := precheck(cmd, o)
	if err != nil {
		return err
	}
	c, err := connect(ctx, &o)
	if err != nil {
		return err
	}
	defer c.Close()
	prog, err := buildkit.NewProgress(ctx, cmd.ErrOrStderr(), o.progress, plan.Secrets(o.plan.SecretURLs()...))
	if err != nil {
		return err
	}
	p, res, runErr := resolveAndRun(cmd, c, o, r, prog)
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

// precheck selects the recipe and runs the cheap checks, before the daemon
// is used: the plan as far as it is known, then push access.
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

// connect dials BuildKit; compiles run on its native platform.
func connect(ctx context.Context, o *buildOptions) (*buildkit.Client, error) {
	c, err := buildkit.Connect(ctx, o.addr)
	if err != nil {
		return nil, err
	}
	native, err := c.Platforms(ctx)
	if err != nil {
		c.Close()
		return nil, err
	}
	o.plan.BuildPlatform = native[0]
	return c, nil
}

func resolveAndRun(cmd *cobra.Command, c *buildkit.Client, o buildOptions, r recipes.Recipe, prog *buildkit.Progress) (plan.Plan, builder.Result, error) {
	ctx := cmd.Context()
	facts, err := readFacts(cmd, c, o, r, prog)
	if err != nil {
		return plan.Plan{}, builder.Result{}, err
	}
	p, err := plan.New(o.plan, r, facts)
	if err != nil || o.dryRun {
		return p, builder.Result{}, err
	}
	res, err := builder.Run(ctx, c, p, builder.Settings{
		Dist: o.dist, Jobs: o.jobs, Access: o.access, Insecure: o.insecure, Progress: prog,
	})
	return p, res, err
}

func readFacts(cmd *cobra.Command, c *buildkit.Client, o buildOptions, r recipes.Recipe, prog *buildkit.Progress) (plan.Facts, error) {
	layout := source.Layout{Required: recipes.RequiredPaths(r), Dockerfiles: recipes.Dockerfiles(r)}
	if o.plan.Source.Dir != "" {
		return sourceDirFacts(cmd, o, layout)
	}
	return c.ReadFacts(cmd.Context(), o.plan.Source, o.plan.Version, layout, prog)
}

func sourceDirFacts(cmd *cobra.Command, o buildOptions, layout source.Layout) (plan.Facts, error) {
	if _, err := os.Stat(o.plan.Source.Dir); err != nil {
		return plan.Facts{}, fmt.Errorf("--source %s: %w", o.plan.Source.Dir, err)
	}
	return source.DirFacts(cmd.Context(), o.plan.Source.Dir, o.plan.Version, layout)
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
