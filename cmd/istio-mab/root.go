package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	istiomab "github.com/istio-mab/istio-mab"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "istio-mab",
		Short: "Rebuild Istio's images and binaries for several CPU architectures",
		Long: "istio-mab rebuilds an Istio release's images and binaries for several CPU architectures\n" +
			"with BuildKit, verifies them and publishes multi-platform manifest lists.\n\n" +
			"Every flag can also come from an ISTIO_MAB_* variable (--dry-run is ISTIO_MAB_DRY_RUN) or a\n" +
			"YAML --config file; flags win over the environment, which wins over the file.\n" +
			"Exit codes: 0 success, 2 bad input, 3 registry access, 4 build failure,\n" +
			"5 verification failure, 6 partial publish, 7 BuildKit node unreachable or lost\n" +
			"(see docs/exit-codes.md).",
		SilenceUsage:               true,
		SilenceErrors:              true,
		SuggestionsMinimumDistance: 2,
		Args:                       cobra.ArbitraryArgs,
		// Runnable so an unknown command reaches unknownCommand and exits 2:
		// cobra would print help and exit 0 for it otherwise.
		RunE: unknownCommand,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return istiomab.BadInput(suggestFlag(cmd, err)) })
	root.SetGlobalNormalizationFunc(aliases)
	root.AddCommand(newBuildCommand(), newPlanCommand(), newVerifyCommand(), newVersionCommand())
	for _, c := range root.Commands() {
		if c.Args != nil {
			c.Args = usageArgs(c.Args)
		}
	}
	root.AddCommand(newImportCommand(), newExportCommand(), newMirrorCommand(), newLockCommand())
	onceFlags(root)
	return root
}

// aliases accepts buildx's spelling --platform for --platforms.
func aliases(_ *pflag.FlagSet, name string) pflag.NormalizedName {
	if name == "platform" {
		name = "platforms"
	}
	return pflag.NormalizedName(name)
}

// suggestFlag adds the nearest flag of cmd to an unknown flag's error.
func suggestFlag(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return err
	}
	var all []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			all = append(all, f.Name)
		}
	})
	if hint := didYouMean(name, all, func(s string) string { return "--" + s }); hint != "" {
		return fmt.Errorf("%w%s", err, hint)
	}
	return err
}

// unknownCommand shows help without arguments and refuses anything else,
// suggesting the nearest command.
func unknownCommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return cmd.Help()
	}
	hint := "see istio-mab --help"
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		hint = "did you mean " + strings.Join(s, " or ") + "?"
	}
	return istiomab.BadInput(fmt.Errorf("unknown command %q: %s", args[0], hint))
}

// usageArgs marks an argument error as bad input (exit 2).
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return istiomab.BadInput(fmt.Errorf("%w; see %s --help", err, cmd.CommandPath()))
		}
		return nil
	}
}
