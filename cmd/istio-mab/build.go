package main

import (
	"context"
	"fmt"
	"github.com/istio-mab/istio-mab/resolve"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/run"
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
			if o.dryRun {
				return printPlan(cmd, o, "text", platforms.DefaultSpec())
			}
			if err := runBuild(cmd, o); err != nil {
				// BuildKit's errors quote fetched URLs verbatim, credentials included.
				err = classifyRun(err)
				return failure.WithMessage(err, plan.Scrub(err.Error(), plan.Secrets(o.plan.SecretURLs()...)))
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
	if res.UpToDate {
		fmt.Fprintf(cmd.OutOrStdout(), "Istio %s in %s is up to date: every manifest list under its tags was built from the same inputs; nothing was built or pushed (--force rebuilds)\n", o.plan.Version, o.plan.Hub)
		return nil
	}
	printSummary(cmd.OutOrStdout(), p, res)
	return report(o, p, res)
}

// report writes the metadata file and the GitHub step summary, if asked.
func report(o buildOptions, p plan.Plan, res run.Result) error {
	if o.metadata != "" {
		if err := writeMetadata(o.metadata, newMetadata(p, res, res.Phases)); err != nil {
			return fmt.Errorf("writing --metadata-file %s: %w", o.metadata, err)
		}
	}
	if path := os.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := appendStepSummary(path, p, res); err != nil {
			return fmt.Errorf("writing $GITHUB_STEP_SUMMARY %s: %w", path, err)
		}
	}
	return nil
}

func connectAndRun(ctx context.Context, o buildOptions, r recipes.Recipe, prog *buildkit.Progress) (plan.Plan, run.Result, error) {
	solvers, closeAll, err := connect(ctx, o, prog)
	if err != nil {
		return plan.Plan{}, run.Result{}, failure.Usage(err) // an unreachable builder is bad input
	}
	defer closeAll()
	stage, err := os.MkdirTemp("", "istio-mab-stage-")
	if err != nil {
		return plan.Plan{}, run.Result{}, err
	}
	defer os.RemoveAll(stage)
	req := resolve.Request{Options: o.plan, Recipe: r, Nodes: o.nodes, Stage: stage}
	if done, err := upToDate(ctx, o, req, solvers.nodes()); err != nil || done {
		return plan.Plan{}, run.Result{UpToDate: done}, err
	}
	start := time.Now()
	p, err := resolve.Resolve(ctx, req, solvers.nodes())
	for _, w := range p.Warnings { // where the source and the recipe disagree
		prog.Step("warning: " + w)(nil)
	}
	if err == nil && o.out.lock != nil {
		p, err = lock.Apply(p, r.Line, *o.out.lock)
	}
	if err != nil || o.dryRun {
		// Inputs that cannot be resolved (tag, base, node platform) are bad input.
		return p, run.Result{}, failure.Usage(err)
	}
	resolved := run.Phase{Name: "resolve", Seconds: time.Since(start).Seconds()}
	sink, err := newSink(o, stage)
	if err != nil {
		return p, run.Result{}, err
	}
	res, err := run.Run(ctx, p, solvers.solvers(), sink, run.Settings{
		Dist: o.dist, Jobs: o.jobs, CompileJobs: o.compileJobs, Progress: prog, CacheFrom: o.cacheFrom, CacheTo: o.cacheTo,
		ExportCache: exportCache(),
	})
	res.Phases = append([]run.Phase{resolved}, res.Phases...)
	if err == nil && o.out.set() {
		err = o.out.finish(ctx, p, r.Line, res)
	}
	return p, res, err
}

// exportCache is where runs keep the binaries they exported, per node, so
// an unchanged one is not sent again; none when the user has no cache dir.
func exportCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "istio-mab", "exports")
}

// newSink is the registry, an OCI layout (--output), or with --push=false
// a local check.
func newSink(o buildOptions, stage string) (run.Sink, error) {
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
		return recipes.Recipe{}, failure.Usage(err)
	}
	if sel.Warning != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "warning:", sel.Warning)
	}
	if sel.Recipe.GoImage, err = recipes.GoImage(sel.Recipe, o.plan.Version, o.goChoice); err != nil {
		return recipes.Recipe{}, failure.Usage(err)
	}
	pre, err := plan.New(o.plan, sel.Recipe, plan.Facts{})
	if err != nil {
		return recipes.Recipe{}, failure.Usage(err)
	}
	if err := checkWritable(o); err != nil {
		return recipes.Recipe{}, failure.Usage(err)
	}
	return sel.Recipe, checkPushAccess(cmd.Context(), o, pre)
}

// connect dials every node at once; one that does not answer fails the run,
// named, before anything is built.
func connect(ctx context.Context, o buildOptions, prog *buildkit.Progress) (clientSet, func(), error) {
	clients := make([]*buildkit.Client, len(o.nodes))
	g, gctx := errgroup.WithContext(ctx)
	for i, n := range o.nodes {
		g.Go(func() (err error) {
			clients[i], err = buildkit.Connect(gctx, n.Address, o.tls[n.Address], prog)
			return err
		})
	}
	err := g.Wait()
	solvers := clientSet{}
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
				return failure.Registry(classifyRun(err)) // an unreadable docker config is bad input
			}
		}
	}
	return nil
}

// checkWritable fails before anything is built when --dist or the metadata
// file's directory cannot be written, so no output is lost after tags moved.
func checkWritable(o buildOptions) error {
	if o.dryRun {
		return nil
	}
	dirs := map[string]string{"--metadata-file": filepath.Dir(o.metadata)}
	if o.dist != "" {
		dirs["--dist"] = o.dist
	}
	if o.metadata == "" {
		delete(dirs, "--metadata-file")
	}
	for _, flag := range slices.Sorted(maps.Keys(dirs)) {
		dir := dirs[flag]
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("%s %s is not writable (%v): choose a directory you can write", flag, dir, err)
		}
		f, err := os.CreateTemp(dir, ".istio-mab-write-check-*")
		if err != nil {
			return fmt.Errorf("%s %s is not writable (%v): choose a directory you can write", flag, dir, err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// upToDate skips a rebuild whose lists are already published from the same
// inputs: it reads the tag's commit, the lists' annotations and the pulled
// images' digests, and solves nothing.
func upToDate(ctx context.Context, o buildOptions, req resolve.Request, solvers resolve.Nodes) (bool, error) {
	if !o.plan.Push || o.force || o.dryRun {
		return false, nil
	}
	pub, err := publish.New(o.access)
	if err != nil {
		return false, err
	}
	return resolve.UpToDate(ctx, req, solvers[o.nodes[0].Address], pub)
}

// clientSet are the connected nodes by address, as Resolve and Run see them.
type clientSet map[string]*buildkit.Client

func (c clientSet) nodes() resolve.Nodes {
	out := resolve.Nodes{}
	for a, n := range c {
		out[a] = n
	}
	return out
}

func (c clientSet) solvers() run.Solvers {
	out := run.Solvers{}
	for a, n := range c {
		out[a] = n
	}
	return out
}
