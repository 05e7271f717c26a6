package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
)

// planFlags are plan's option groups: what build would build, and how the
// plan is printed. Nothing is pushed, so build's publishing flags are absent.
type planFlags struct {
	istiomab.BuildFlags
	format, buildPlatform string
}

func newPlanCommand() *cobra.Command {
	f := planFlags{BuildFlags: buildDefaults()}
	cmd := &cobra.Command{
		Use:   "plan --version VERSION --hub REGISTRY/NAMESPACE",
		Short: "Print the resolved plan: every input, binary, image and archive, building nothing",
		Long: "Prints what build would do. A directory --source needs no BuildKit daemon (compiles are\n" +
			"planned on --build-platform); a git source is read through the daemon, which also assigns\n" +
			"every step to a node.",
		Example: `  # What would a rebuild of a local checkout do? No BuildKit daemon needed:
  istio-mab plan --version 1.22.0 --hub myreg --source ./istio --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := resolveBuild(cmd, &f.BuildFlags)
			if err != nil {
				return err
			}
			if f.format != "text" && f.format != "json" {
				return istiomab.BadInput(fmt.Errorf("--output %q: use text or json", f.format))
			}
			return printPlan(cmd, o, f.format, f.buildPlatform)
		},
	}
	addBuildFlags(cmd, &f.BuildFlags)
	addArchiveFlags(cmd.Flags(), &f.Nodes)
	cmd.Flags().StringVar(&f.format, "output", "text", "plan format: text or json")
	cmd.Flags().StringVar(&f.buildPlatform, "build-platform", "", "where compiles are planned for a directory --source (default: this machine's, "+runtime.GOOS+"/"+runtime.GOARCH+")")
	return cmd
}

// buildDefaults are the settings plan and lock have no flag for, as build
// has them by default: they describe the build it would run.
func buildDefaults() istiomab.BuildFlags {
	return istiomab.BuildFlags{Publish: istiomab.PublishFlags{Push: true},
		Nodes: istiomab.NodeFlags{Jobs: defaultJobs, CompileJobs: defaultCompileJobs, Dist: "dist", Istioctl: "all"}}
}

// printPlan resolves offline when it can, else through the daemon.
func printPlan(cmd *cobra.Command, o buildOptions, format, buildPlatform string) error {
	bp, err := istiomab.ParseBuildPlatform(buildPlatform)
	if err != nil {
		return err
	}
	p, err := istiomab.Plan(cmd.Context(), o.BuildRequest, bp, o.callOptions(cmd)...)
	if err != nil {
		return err
	}
	return report.PrintPlan(cmd.OutOrStdout(), p, format, o.Secrets())
}
