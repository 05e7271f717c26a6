package soak

import (
	"reflect"
	"testing"
)

// TestDrawIsSeeded: the same seed draws the same faults, another seed
// others, and every draw holds exactly one buildkitd kill and one registry
// restart, each alone, and one or two proxy faults elsewhere.
func TestDrawIsSeeded(t *testing.T) {
	a, b := Draw(42, 30), Draw(42, 30)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("seed 42 drew two different plans")
	}
	if reflect.DeepEqual(a, Draw(43, 30)) {
		t.Error("seeds 42 and 43 drew the same plan")
	}
	for seed := range uint64(50) {
		counts := map[Kind]int{}
		for _, p := range Draw(seed, 30) {
			for _, f := range p.Faults {
				counts[f.Kind]++
				if _, proxy := f.Rule(); !proxy && len(p.Faults) != 1 {
					t.Errorf("seed %d run %d: %s shares its run: %v", seed, p.Run, f, p.Faults)
				}
			}
			if n := len(p.Faults); n < 1 || n > 2 {
				t.Errorf("seed %d run %d: %d faults", seed, p.Run, n)
			}
		}
		if counts[NodeKill] != 1 || counts[RegistryRestart] != 1 {
			t.Errorf("seed %d: %d kills, %d restarts, want one each", seed, counts[NodeKill], counts[RegistryRestart])
		}
	}
}
