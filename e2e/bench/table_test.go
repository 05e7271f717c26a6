package bench

import (
	"strings"
	"testing"
	"time"
)

// A scenario run twice compares each run with the limit's run of the same
// rank, so a second cold run is not divided by the first's figures.
func TestBenchTablePairsRepeatedScenarios(t *testing.T) {
	s := func(way, scenario string, wall int) sample {
		return sample{way: way, scenario: scenario, wall: time.Duration(wall) * time.Second, cpu: time.Duration(wall) * time.Second}
	}
	table := benchTable([]sample{
		s("limit", "cold", 400), s("limit", "onefile", 10), s("limit", "cold", 500),
		s("istio-mab", "cold", 440), s("istio-mab", "noop-fresh", 4), s("istio-mab", "cold", 450), s("istio-mab", "cold", 600),
	})
	for _, want := range []string{
		"| cold | istio-mab | 440.0 | 1.10 |",
		"| noop-fresh | istio-mab | 4.0 | 0.01 |",
		"| cold | istio-mab | 450.0 | 0.90 |",
		"| cold | istio-mab | 600.0 | 1.20 |", // a third run: the limit's last
	} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
}
