package main

import (
	"fmt"
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"

	"github.com/spf13/cobra"
)

// registerListFlags name a release's lists in a registry, as build names
// what it publishes.
func registerListFlags(cmd *cobra.Command, variants string) {
	fl := cmd.Flags()
	fl.String("version", "", "Istio release, as tagged upstream (e.g. 1.22.0)")
	fl.String("tag", "", "tag of the lists (default: the version)")
	fl.String("variants", variants, "comma-separated variants: debug (tags V and V-debug), distroless (V-distroless)")
	registerRegistryFlags(fl)
}

// releaseFlags names the release's lists under hub from the list flags.
func releaseFlags(v flagView, hub string) istiomab.Release {
	return istiomab.Release{
		Version: v.GetString("version"), Hub: hub, Tag: v.GetString("tag"),
		Images: unique(splitAll(v.GetStringSlice("images"))), Variants: unique(splitAll(v.GetStringSlice("variants"))),
	}
}

// printCopy reports a copy: each list, then what was written.
func printCopy(cmd *cobra.Command, res istiomab.CopyResult) {
	report.PrintLists(cmd.OutOrStdout(), res.Lists)
	fmt.Fprintf(cmd.OutOrStdout(), "\n%d lists copied, %d already present\n", res.Stats.Copied, res.Stats.Present)
}
