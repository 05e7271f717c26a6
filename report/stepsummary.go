package report

import (
	"fmt"
	"os"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run"
)

// AppendStepSummary appends a Markdown table of the run to GitHub Actions'
// step summary file.
func AppendStepSummary(path string, p plan.Plan, res run.Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Istio %s (commit %s)\n\n", p.Version, short(p.Facts.Commit))
	if res.UpToDate {
		fmt.Fprint(&b, "Up to date: every list was already published from the same inputs; no image was built or pushed.\n\n")
	}
	fmt.Fprintln(&b, "| image | platform | digest | size |\n|---|---|---|---|")
	sizes := imageSizes(res.Published)
	for _, r := range res.Platforms {
		fmt.Fprintf(&b, "| %s (%s) | %s | `%s` | %d |\n", r.Repository, r.Variant, platforms.Format(*r.Descriptor.Platform), r.Descriptor.Digest, sizes[r.Descriptor.Digest.String()])
	}
	if len(res.Platforms) == 0 { // up to date: the registry's platform images
		for i, pub := range res.Published {
			for _, pi := range pub.Platforms {
				fmt.Fprintf(&b, "| %s (%s) | %s | `%s` | %d |\n", pub.Repository, p.Images[i].Variant, platforms.Format(pi.Platform), pi.Manifest, pi.Size)
			}
		}
	}
	fmt.Fprintln(&b, "\n| manifest list | digest | tags |\n|---|---|---|")
	for _, pub := range res.Published {
		fmt.Fprintf(&b, "| %s | `%s` | %s |\n", pub.Repository, pub.Index.Digest, tagList(pub))
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(b.String() + "\n"); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
