package soak

import (
	"strings"
	"testing"
)

// TestOutcome: only an exit code that names the failure with nothing
// moved is a clean failure; a broken invariant, a tag moved by a failed
// run or an unclassified exit is a violation.
func TestOutcome(t *testing.T) {
	both := []string{"pilot:1.22.0", "pilot:1.22.0-debug"}
	for _, c := range []struct {
		r    Result
		want string
	}{
		{Result{Code: 0, Moved: both}, Completed},
		{Result{Code: 7}, FailedClean},
		{Result{Code: 3}, FailedClean},
		{Result{Code: 6, Moved: both[:1]}, Partial},
		{Result{Code: 1}, Violation},
		{Result{Code: 4, Moved: both[:1]}, Violation},
		{Result{Code: 0, Moved: both[:1]}, Violation},
		{Result{Code: 0, Moved: both, Problems: []string{"blob x missing"}}, Violation},
	} {
		if got, why := c.r.Outcome(); got != c.want {
			t.Errorf("%+v: %s (%s), want %s", c.r, got, why, c.want)
		}
	}
}

func TestTableTotals(t *testing.T) {
	plans := Draw(7, 3)
	results := []Result{
		{Plan: plans[0], Code: 0, Moved: []string{"pilot:1.22.0", "pilot:1.22.0-debug"}},
		{Plan: plans[1], Code: 7, Error: "istio-mab: BuildKit node x was lost | during a solve"},
		{Plan: plans[2], Code: 1},
	}
	table := Table(7, results)
	for _, want := range []string{"Seed 7, 3 runs.", "Totals: 3 runs; 1 completed, 1 failed cleanly, 0 partial, 1 violations.",
		"was lost / during", "| 3 | "} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
