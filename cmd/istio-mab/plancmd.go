package main

import (
	"encoding/json"
	"fmt"
	istiomab "github.com/istio-mab/istio-mab"
	"io"
	"runtime"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

func newPlanCommand() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "plan --version VERSION --hub REGISTRY/NAMESPACE",
		Short: "Print the resolved plan: every input, binary, image and archive, building nothing",
		Long: "Prints what build would do. A directory --source needs no BuildKit daemon (compiles are\n" +
			"planned on --build-platform); a git source is read through the daemon, which also assigns\n" +
			"every step to a node.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			o.dryRun = true
			format := getString(cmd.Flags(), "output")
			if format != "text" && format != "json" {
				return failure.Usage(fmt.Errorf("--output %q: use text or json", format))
			}
			bp, err := buildPlatform(getString(cmd.Flags(), "build-platform"))
			if err != nil {
				return err
			}
			return printPlan(cmd, o, format, bp)
		},
	}
	registerPlanFlags(cmd.Flags()) // before build's, whose --output it replaces
	f.register(cmd)
	cmd.Example = `  # What would a rebuild of a local checkout do? No BuildKit daemon needed:
  istio-mab plan --version 1.22.0 --hub myreg --source ./istio --output json`
	return cmd
}

func registerPlanFlags(fl *pflag.FlagSet) {
	fl.String("output", "text", "plan format: text or json")
	fl.String("build-platform", "", "where compiles are planned for a directory --source (default: this machine's, "+runtime.GOOS+"/"+runtime.GOARCH+")")
}

// printPlan resolves offline when it can, else through the daemon.
func printPlan(cmd *cobra.Command, o buildOptions, format string, bp platforms.Platform) error {
	p, err := istiomab.Plan(cmd.Context(), o.request(), bp, o.callOptions(cmd)...)
	if err != nil {
		return err
	}
	return writePlan(cmd.OutOrStdout(), p, format, plan.Secrets(o.plan.SecretURLs()...))
}

func buildPlatform(flag string) (pl platforms.Platform, err error) {
	if flag == "" {
		return platforms.DefaultSpec(), nil
	}
	if pl, err = platforms.Parse(flag); err != nil {
		return pl, failure.Usage(fmt.Errorf("--build-platform %q: want OS/ARCH, e.g. linux/amd64", flag))
	}
	return platforms.Normalize(pl), nil
}

// writePlan prints p as text or JSON, with URL credentials scrubbed.
func writePlan(w io.Writer, p plan.Plan, format string, secrets []string) error {
	if format == "text" {
		plan.Render(w, p)
		return nil
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, plan.Scrub(string(b), secrets))
	return err
}
