package report

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/istio-mab/istio-mab/carry/install"
)

// PrintInstall prints the charts an import pushed with their digests, and
// the commands that install the release from the hub; without valuesOut
// the values those commands pass with -f follow them.
func PrintInstall(w io.Writer, in install.Imported, valuesOut string) {
	if len(in.Charts.Artefacts) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHART\tVERSION\tDIGEST")
	for _, a := range in.Charts.Artefacts {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", a.Chart.Name, a.Chart.Version, a.Digest)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nInstall with Helm (3.8+), or with istioctl:")
	for _, c := range in.Commands {
		fmt.Fprintln(w, "  "+c)
	}
	if valuesOut == "" {
		fmt.Fprintf(w, "\nvalues.yaml:\n%s", in.Values)
	}
}

// PrintCharts lists the charts a build pushed beside its lists.
func PrintCharts(w io.Writer, charts []install.Pushed) {
	if len(charts) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHART\tVERSION\tREPOSITORY\tDIGEST")
	for _, c := range charts {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.Name, c.Version, c.Repository, c.Digest)
	}
	tw.Flush()
}
