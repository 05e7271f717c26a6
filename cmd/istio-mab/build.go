package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
)

// buildFlags are build's option groups, bound to its flags.
type buildFlags struct {
	istiomab.BuildFlags
	metadata string // --metadata-file
}

// buildOptions are what the flags of build, plan or lock resolve to: the
// library call's request, how it shows progress, and build's reports.
type buildOptions struct {
	istiomab.BuildRequest
	progress string
	metadata string // --metadata-file, or empty
}

func newBuildCommand() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:     "build --version VERSION --hub REGISTRY/NAMESPACE",
		Short:   "Build an Istio release's images for every platform and publish manifest lists",
		Example: buildExample,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			if o.DryRun {
				return printPlan(cmd, o, "text", "")
			}
			return runBuild(cmd, o)
		},
	}
	f.register(cmd)
	return cmd
}

// register binds build's flags: the groups plan and lock share, and what
// only a build does with its results.
func (f *buildFlags) register(cmd *cobra.Command) {
	addBuildFlags(cmd, &f.BuildFlags)
	addArchiveFlags(cmd.Flags(), &f.Nodes)
	addJobFlags(cmd.Flags(), &f.Nodes)
	addPublishFlags(cmd.Flags(), &f.Publish)
	cmd.Flags().StringVar(&f.metadata, "metadata-file", "", "write the run's results as JSON to this file (schema: docs/metadata.md); with\n"+
		"$GITHUB_STEP_SUMMARY set, a Markdown summary is appended there too")
}

func (f *buildFlags) options(cmd *cobra.Command) (buildOptions, error) {
	o, err := resolveBuild(cmd, &f.BuildFlags)
	o.metadata = f.metadata
	return o, err
}

// addBuildFlags binds the groups build, plan and lock share: what is built,
// from which inputs, on which nodes.
func addBuildFlags(cmd *cobra.Command, f *istiomab.BuildFlags) {
	fl := cmd.Flags()
	addReleaseFlags(fl, &f.Release, "build")
	addInputFlags(fl, &f.Inputs)
	addNodeFlags(fl, &f.Nodes)
	addRegistryFlags(fl, &f.Registries)
	registerCompletions(cmd)
}

// resolveBuild settles cmd's flags, bound to bound, from the environment
// and config file and checks them.
func resolveBuild(cmd *cobra.Command, bound *istiomab.BuildFlags) (buildOptions, error) {
	if err := settle(cmd); err != nil {
		return buildOptions{}, err
	}
	f := *bound
	if !cmd.Flags().Changed("go") {
		f.Inputs.Go = "" // the default, which --go-image may replace
	}
	f.Publish.PushGiven, f.Publish.DistGiven = changed(cmd, "push"), changed(cmd, "dist")
	req, err := f.Request(func(note string) { fmt.Fprintln(cmd.ErrOrStderr(), note) })
	return buildOptions{BuildRequest: req, progress: f.Nodes.Progress}, err
}

func changed(cmd *cobra.Command, name string) bool {
	fl := cmd.Flags().Lookup(name)
	return fl != nil && fl.Changed
}

// callOptions show progress and warnings on cmd's stderr.
func (o buildOptions) callOptions(cmd *cobra.Command) []istiomab.Option {
	return []istiomab.Option{istiomab.WithProgress(cmd.ErrOrStderr(), o.progress), istiomab.WithWarnings(warnings(cmd)), istiomab.WithExportCache(cacheDir("exports")), istiomab.WithArchiveCache(cacheDir("archives"))}
}

func warnings(cmd *cobra.Command) func(string) {
	return func(w string) { fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w) }
}

// cacheDir is where runs keep what a later run reuses: exported binaries
// per node (exports), the last releases' istioctl archives (archives);
// none when the user has no cache dir.
func cacheDir(name string) string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "istio-mab", name)
}

// runBuild is options -> one library call -> summary and reports.
func runBuild(cmd *cobra.Command, o buildOptions) error {
	if o.metadata != "" {
		if err := istiomab.CheckWritable("--metadata-file", filepath.Dir(o.metadata)); err != nil {
			return err
		}
	}
	res, err := istiomab.Build(cmd.Context(), o.BuildRequest, o.callOptions(cmd)...)
	if err != nil {
		return err
	}
	if res.UpToDate {
		fmt.Fprintf(cmd.OutOrStdout(), "Istio %s in %s is up to date: every manifest list under its tags was built from the same inputs; no image was built or pushed (--force rebuilds)\n", o.Options.Version, o.Options.Hub)
	} else {
		report.PrintSummary(cmd.OutOrStdout(), res.Plan, res.Result)
		report.PrintCharts(cmd.OutOrStdout(), res.Charts)
	}
	return writeReports(o, res)
}

// writeReports writes the metadata file and the GitHub step summary, if asked.
func writeReports(o buildOptions, res istiomab.BuildResult) error {
	if o.metadata != "" {
		m := report.NewMetadata(toolVersion(), res.Plan, res.Result)
		m.Charts = res.Charts
		if err := report.WriteMetadata(o.metadata, m); err != nil {
			return fmt.Errorf("writing --metadata-file %s: %w", o.metadata, err)
		}
	}
	if path := os.Getenv("GITHUB_STEP_SUMMARY"); path != "" {
		if err := report.AppendStepSummary(path, res.Plan, res.Result); err != nil {
			return fmt.Errorf("writing $GITHUB_STEP_SUMMARY %s: %w", path, err)
		}
	}
	return nil
}

const buildExample = `  # Rebuild a release for linux/amd64 and linux/arm64 and publish it:
  istio-mab build --version 1.22.0 --hub registry.example.com/istio

  # Istio 1.14 has no upstream arm64 Envoy: supply one.
  istio-mab build --version 1.14.3 --hub registry.example.com/istio \
    --envoy linux/arm64=https://example.com/envoy-alpha-SHA-arm64.tar.gz

  # Build and check everything, push nothing, for arm64 only:
  istio-mab build --version 1.22.0 --hub myreg --platform linux/arm64 --push=false

  # Settings from the environment or a YAML file, as in CI:
  ISTIO_MAB_HUB=registry.example.com/istio ISTIO_MAB_VARIANTS=debug,distroless \
    istio-mab build --version 1.22.0 --config istio-mab.yaml`
