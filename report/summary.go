package report

import (
	"fmt"
	"io"
	"path/filepath"
	"text/tabwriter"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/run"
)

func PrintSummary(w io.Writer, p plan.Plan, res run.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Istio %s (commit %s) from %s\n\n", p.Version, short(p.Facts.Commit), sourceName(p.Source))
	sizes := imageSizes(res.Published)
	fmt.Fprintln(tw, "IMAGE\tVARIANT\tPLATFORM\tDIGEST\tSIZE")
	for _, r := range res.Platforms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\n", r.Repository, r.Variant, platforms.Format(*r.Descriptor.Platform), r.Descriptor.Digest, sizes[r.Descriptor.Digest.String()])
	}
	if len(res.Published) > 0 && res.Published[0].Pushed {
		fmt.Fprintln(tw, "\nMANIFEST LIST\tDIGEST\tTAGS")
		for _, pub := range res.Published {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", pub.Repository, pub.Index.Digest, tagList(pub))
		}
	} else {
		fmt.Fprintln(tw, "\nnot pushed (--push=false): no manifest list or tag was written")
	}
	if len(res.Archives) > 0 {
		fmt.Fprintln(tw, "\nARCHIVE\tSHA256\tSIZE")
		for _, a := range res.Archives {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", filepath.Base(a.Path), a.SHA256, a.Size)
		}
	}
	tw.Flush()
}

func tagList(r *publish.Result) string {
	s := ""
	for i, t := range r.Tags {
		if i > 0 {
			s += ","
		}
		s += t.Tag
	}
	return s
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func sourceName(s plan.Source) string {
	if s.Dir != "" {
		return s.Dir
	}
	return plan.Redact(s.GitURL)
}

// imageSizes are the checked images' sizes (config plus compressed layers,
// as crane and docker report them) by manifest digest.
func imageSizes(published []*publish.Result) map[string]int64 {
	out := map[string]int64{}
	for _, pub := range published {
		for _, pi := range pub.Platforms {
			out[pi.Manifest.String()] = pi.Size
		}
	}
	return out
}

// PrintLists writes one line per manifest list: repository, digest, tags.
func PrintLists(w io.Writer, res []*publish.Result) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "MANIFEST LIST\tDIGEST\tTAGS")
	for _, r := range res {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.Repository, r.Index.Digest, tagList(r))
	}
	tw.Flush()
}
