package soak

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Outcome classes of a run.
const (
	Completed    = "completed"
	FailedClean  = "failed cleanly"
	Partial      = "partial (6), moved lists complete"
	Violation    = "violation"
	cleanCodes   = "3 4 5 7" // a registry, build, verification or node failure
	bothPilotTag = "pilot:1.22.0,pilot:1.22.0-debug"
)

// Result is one run as the soak saw it.
type Result struct {
	Plan
	Code     int
	Wall     time.Duration
	Moved    []string // tags that moved, "image:tag"
	Problems []string // the invariant's and the blob check's, one per line
	Blobs    int      // manifests and blobs the tags reach, all checked
	Error    string   // istio-mab's last stderr line on a failure
	Fired    bool     // a process fault's trigger was reached
}

// Outcome classifies the run: completed (exit 0, both tags moved to
// complete lists), failed cleanly (an exit code that names the failure and
// nothing moved), partial (exit 6, what moved complete) or a violation,
// with the reason.
func (r Result) Outcome() (string, string) {
	switch {
	case len(r.Problems) > 0:
		return Violation, r.Problems[0]
	case r.Code == 0 && strings.Join(r.Moved, ",") == bothPilotTag:
		return Completed, ""
	case r.Code == 0:
		return Violation, fmt.Sprintf("exit 0 but moved %v", r.Moved)
	case r.Code == 6:
		return Partial, ""
	case len(r.Moved) > 0:
		return Violation, fmt.Sprintf("exit %d with tags moved: %v", r.Code, r.Moved)
	case !slices.Contains(strings.Fields(cleanCodes), fmt.Sprint(r.Code)):
		return Violation, fmt.Sprintf("exit %d does not name the failure", r.Code)
	}
	return FailedClean, ""
}

// Table is the soak's report: one row per run, then the totals.
func Table(seed uint64, results []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Seed %d, %d runs.\n\n", seed, len(results))
	b.WriteString("| run | faults drawn | outcome | exit | wall | checked | detail |\n|---|---|---|---|---|---|---|\n")
	totals, kinds := map[string]int{}, map[Kind]int{}
	for _, r := range results {
		outcome, why := r.Outcome()
		totals[outcome]++
		var fs []string
		for _, f := range r.Faults {
			kinds[f.Kind]++
			fs = append(fs, f.String())
		}
		if !r.Fired && len(r.Faults) == 1 {
			if _, proxy := r.Faults[0].Rule(); !proxy {
				fs[0] += " (not reached)"
			}
		}
		detail := why
		if detail == "" && r.Code != 0 {
			detail = r.Error
		}
		fmt.Fprintf(&b, "| %d | %s | %s | %d | %s | %d | %s |\n", r.Run, strings.Join(fs, "; "), outcome, r.Code,
			r.Wall.Round(time.Second), r.Blobs, cell(detail))
	}
	fmt.Fprintf(&b, "\nTotals: %d runs; %d completed, %d failed cleanly, %d partial, %d violations.\n",
		len(results), totals[Completed], totals[FailedClean], totals[Partial], totals[Violation])
	b.WriteString("Faults drawn:")
	for i, k := range append(append([]Kind(nil), ProxyKinds...), NodeKill, RegistryRestart) {
		sep := ","
		if i == 0 {
			sep = ""
		}
		fmt.Fprintf(&b, "%s %s %d", sep, k, kinds[k])
	}
	b.WriteString(".\n")
	return b.String()
}

// cell makes s fit a markdown table cell: one line, no pipes, bounded.
func cell(s string) string {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "|", "/"), "\n", " ")
	if len(s) > 320 {
		s = s[:317] + "..."
	}
	return s
}
