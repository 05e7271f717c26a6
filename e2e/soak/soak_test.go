package soak

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// TestSoak runs SOAK_RUNS (default 5) consecutive pilot builds, each into
// a fresh path on a registry the test owns, through a fault proxy with the
// faults soak.Draw gives the seed; after each run the tag invariant holds
// and every manifest and blob the soak's tags reach exists. No run may be
// a violation.
func TestSoak(t *testing.T) {
	runs := envInt(t, "SOAK_RUNS", 5)
	seed := uint64(time.Now().UnixNano() % 1_000_000)
	if v := os.Getenv("SOAK_SEED"); v != "" {
		seed = uint64(envInt(t, "SOAK_SEED", 0))
	}
	t.Logf("SOAK_SEED=%d SOAK_RUNS=%d", seed, runs)
	env := newSoakEnv(t, seed)
	var results []soak.Result
	for _, p := range soak.Draw(seed, runs) {
		r := env.run(t, p)
		results = append(results, r)
		outcome, why := r.Outcome()
		t.Logf("run %d/%d %v: %s exit %d in %s %s", p.Run, runs, p.Faults, outcome, r.Code, r.Wall.Round(time.Second), why)
		if outcome == soak.Violation {
			t.Errorf("run %d (%v): violation: %s", p.Run, p.Faults, why)
		}
	}
	table := soak.Table(seed, results)
	t.Log("\n" + table)
	if out := os.Getenv("SOAK_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}

func envInt(t *testing.T, key string, def int) int {
	t.Helper()
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		t.Fatalf("%s=%q: want a number", key, v)
	}
	return n
}
