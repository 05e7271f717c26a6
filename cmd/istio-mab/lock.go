package main

import (
	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
)

func newLockCommand() *cobra.Command {
	f := buildDefaults()
	f.Nodes.Dist = "" // a lock writes no archives: istioctl is not part of it
	cmd := &cobra.Command{
		Use:   "lock --version VERSION [build flags] > FILE",
		Short: "Record every input of a build as an immutable id, for build --lock",
		Long: "lock resolves the build that the same flags would run (source commit, go.sum, Go image and base\n" +
			"images through the BuildKit node, Envoy and wasm downloads fetched from this host) and prints\n" +
			"each input by digest; build --lock FILE then builds exactly those, refusing any input that drifted.",
		Example: `  # Record every input as an immutable id, then build exactly those:
  istio-mab lock --version 1.22.0 --hub registry.example.com/istio > istio-1.22.0.lock
  istio-mab build --version 1.22.0 --hub registry.example.com/istio --lock istio-1.22.0.lock`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if f.Release.Hub == "" {
				// A lock names no destination; the plan wants one.
				_ = cmd.Flags().Set("hub", "lock.invalid/istio")
			}
			o, err := resolveBuild(cmd, &f)
			if err != nil {
				return err
			}
			l, err := istiomab.Lock(cmd.Context(), o.BuildRequest, o.callOptions(cmd)...)
			if err != nil {
				return err
			}
			return istiomab.WriteLock(cmd.OutOrStdout(), l)
		},
	}
	addBuildFlags(cmd, &f)
	return cmd
}
