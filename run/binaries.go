package run

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/exe"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"golang.org/x/sync/errgroup"
)

// binDir holds every checked binary, laid out by compile.Path; images and
// archives take their binaries from here.
func (r runner) binDir() string { return filepath.Join(r.stage, "bin") }

// imageBinaries splits the plan's binaries into those an image needs and
// the rest (istioctl for the archive platforms), so images wait only for theirs.
func imageBinaries(p plan.Plan) (forImages, rest []plan.Binary) {
	needed := map[string]bool{}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			for _, name := range ip.Binaries {
				needed[name+" "+platforms.Format(ip.Platform)] = true
			}
		}
	}
	for _, b := range p.Binaries {
		if needed[b.Name+" "+platforms.Format(b.Platform)] {
			forImages = append(forImages, b)
		} else {
			rest = append(rest, b)
		}
	}
	return forImages, rest
}

// compileAll compiles bins on their nodes, in the order given as
// compileQueue allows, at most CompileJobs at once per node (each go build
// gets its share of the CPUs), and checks each; checked(i) follows each success.
func (r runner) compileAll(ctx context.Context, bins []plan.Binary, checked func(i int)) error {
	g, ctx := errgroup.WithContext(ctx)
	for _, node := range nodesOf(bins) {
		var mine []int
		for i, b := range bins {
			if b.Node == node {
				mine = append(mine, i)
			}
		}
		g.Go(func() error {
			return runCompiles(ctx, bins, mine, r.s.CompileJobs, func(ctx context.Context, i int, compiled func()) error {
				if err := r.compileAndCheck(ctx, bins[i], compiled); err != nil {
					return err
				}
				checked(i)
				return nil
			})
		})
	}
	return g.Wait()
}

func nodesOf(bins []plan.Binary) []string {
	var out []string
	for _, b := range bins {
		if !slices.Contains(out, b.Node) {
			out = append(out, b.Node)
		}
	}
	return out
}

// compileAndCheck compiles one binary on its node; unless it stays there
// (staysOnNode), it exports it to the client and checks it is an executable
// for its platform. compiled follows the go build, before the export.
func (r runner) compileAndCheck(ctx context.Context, b plan.Binary, compiled func()) error {
	src := source.State(r.p.Source, r.p.Facts.Commit)
	mods := compile.Modules(r.p, b, src)
	reached, err := r.reachedSource(ctx, b, src, mods)
	if err != nil {
		return err
	}
	result := compile.Binary(r.p, b, reached, mods, r.s.CompileJobs)
	def, err := result.Marshal(ctx)
	if err != nil {
		return err
	}
	key := compileKey(b.Name, b.Platform)
	if staysOnNode(r.p, b) {
		return r.compileInPlace(ctx, b, def, result, key)
	}
	out, unlock, err := r.exportDir(b)
	if err != nil {
		return err
	}
	defer unlock()
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}}}
	opt = r.withCache(r.withGoSecrets(opt), key)
	if _, err := r.solvers[b.Node].ExportUnlessKept(ctx, def, opt, r.locals(), compile.FileName(b), compiled); err != nil {
		return fmt.Errorf("compiling %s for %s on %s: %w", b.Name, platforms.Format(b.Platform), b.Node, err)
	}
	path := filepath.Join(r.binDir(), compile.Path(b))
	if err := r.takeExport(filepath.Join(out, compile.FileName(b)), path); err != nil {
		return err
	}
	done := r.s.Progress.Step(fmt.Sprintf("check %s for %s is built for its platform", b.Name, platforms.Format(b.Platform)))
	err = exe.CheckFile(path, b.Platform)
	done(err)
	if err != nil {
		return fmt.Errorf("checking %s for %s: %w", b.Name, platforms.Format(b.Platform), err)
	}
	r.archives.start(b)
	return nil
}

// compileInPlace compiles b into its node's cache only, for the images
// there to copy.
func (r runner) compileInPlace(ctx context.Context, b plan.Binary, def *llb.Definition, result llb.State, key string) error {
	opt := r.withCache(r.withGoSecrets(client.SolveOpt{}), key)
	if _, err := r.solvers[b.Node].Solve(ctx, def, opt, r.locals()); err != nil {
		return fmt.Errorf("compiling %s for %s on %s: %w", b.Name, platforms.Format(b.Platform), b.Node, err)
	}
	r.compiled.put(b, result)
	return nil
}

// reachedSource lists the files b is built from and returns only those, so
// its compile stays cached (locally, or in a registry cache) until one of
// them changes. A committed tree skips the listing: its commit is stamped
// into every binary, so any change of the tree is a new commit that
// relinks them all, whatever files it touched.
func (r runner) reachedSource(ctx context.Context, b plan.Binary, src, mods llb.State) (llb.State, error) {
	if r.p.Facts.Committed {
		return src, nil
	}
	var files []string
	err := r.solvers[b.Node].ReadFiles(ctx, compile.Deps(r.p, b, src, mods), r.locals(), func(read func(string) ([]byte, error)) error {
		data, err := read(compile.DepsFile)
		files = compile.ParseDeps(data)
		return err
	})
	if err != nil {
		return llb.State{}, fmt.Errorf("listing the files of %s for %s on %s: %w", b.Name, platforms.Format(b.Platform), b.Node, err)
	}
	return compile.Reached(r.p, src, files), nil
}

func moveFile(from, to string) error {
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.Rename(from, to)
}
