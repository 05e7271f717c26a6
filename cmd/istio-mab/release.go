package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
)

// addListFlags name a release's lists in a registry, as build names what
// it publishes, for export and mirror.
func addListFlags(fl *pflag.FlagSet, r *istiomab.ReleaseFlags, reg *istiomab.RegistryFlags, variants string) {
	fl.StringVar(&r.Version, "version", "", "Istio release, as tagged upstream (e.g. 1.22.0)")
	fl.StringVar(&r.Tag, "tag", "", "tag of the lists (default: the version)")
	fl.StringVar(&r.Variants, "variants", variants, "variants, comma-separated or repeated: debug (tags V and V-debug), distroless (V-distroless)")
	addRegistryFlags(fl, reg)
}

// printCopy reports a copy: each list, then what was written.
func printCopy(cmd *cobra.Command, res istiomab.CopyResult) {
	report.PrintLists(cmd.OutOrStdout(), res.Lists)
	fmt.Fprintf(cmd.OutOrStdout(), "\n%d lists copied, %d already present\n", res.Stats.Copied, res.Stats.Present)
}
