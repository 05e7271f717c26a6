package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
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
			return runBuild(cmd, o)
		},
	}
	f.register(cmd)
	return cmd
}

// runBuild is options -> one library call -> summary and reports.
func runBuild(cmd *cobra.Command, o buildOptions) error {
	if o.metadata != "" {
		if err := istiomab.CheckWritable("--metadata-file", filepath.Dir(o.metadata)); err != nil {
			return err
		}
	}
	res, err := istiomab.Build(cmd.Context(), o.request(), o.callOptions(cmd)...)
	if err != nil {
		return err
	}
	if res.UpToDate {
		fmt.Fprintf(cmd.OutOrStdout(), "Istio %s in %s is up to date: every manifest list under its tags was built from the same inputs; nothing was built or pushed (--force rebuilds)\n", o.plan.Version, o.plan.Hub)
		return nil
	}
	report.PrintSummary(cmd.OutOrStdout(), res.Plan, res.Result)
	return writeReports(o, res)
}

// writeReports writes the metadata file and the GitHub step summary, if asked.
func writeReports(o buildOptions, res istiomab.BuildResult) error {
	if o.metadata != "" {
		m := report.NewMetadata(toolVersion(), res.Plan, res.Result)
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
