package main

import (
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/spf13/cobra"

	"github.com/istio-mab/istio-mab/carry/lock"
)

func newLockCommand() *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "lock --version VERSION [build flags] > FILE",
		Short: "Record every input of a build as an immutable id, for build --lock",
		Long: "lock resolves the build that the same flags would run (source commit, go.sum, Go image and base\n" +
			"images through the BuildKit node, Envoy and wasm downloads fetched from this host) and prints\n" +
			"each input by digest; build --lock FILE then builds exactly those, refusing any input that drifted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Lookup("hub").Value.String() == "" {
				// A lock names no destination; the plan wants one.
				_ = cmd.Flags().Set("hub", "lock.invalid/istio")
			}
			o, err := f.options(cmd)
			if err != nil {
				return err
			}
			return runLock(cmd, o)
		},
	}
	f.register(cmd)
	cmd.Example = `  # Record every input as an immutable id, then build exactly those:
  istio-mab lock --version 1.22.0 --hub registry.example.com/istio > istio-1.22.0.lock
  istio-mab build --version 1.22.0 --hub registry.example.com/istio --lock istio-1.22.0.lock`
	return cmd
}

func runLock(cmd *cobra.Command, o buildOptions) error {
	l, err := istiomab.Lock(cmd.Context(), o.request(), o.callOptions(cmd)...)
	if err != nil {
		return err
	}
	return lock.Write(cmd.OutOrStdout(), l)
}
