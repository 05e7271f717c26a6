package soak

import (
	"math/rand/v2"
	"time"
)

// Plan is what one run of a soak gets: its number (from 1) and its faults.
type Plan struct {
	Run    int
	Faults []Fault
}

// Draw is the faults of runs consecutive builds, the same for the same
// seed: one buildkitd kill and one registry restart, each alone in a run
// of its own (runs permitting), and one or two proxy faults drawn from
// ProxyKinds, with their parameters, for every other run.
func Draw(seed uint64, runs int) []Plan {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	plans := make([]Plan, runs)
	kill, restart := -1, -1
	if runs >= 2 {
		kill = r.IntN(runs)
		restart = (kill + 1 + r.IntN(runs-1)) % runs
	}
	for i := range plans {
		plans[i].Run = i + 1
		switch i {
		case kill:
			plans[i].Faults = []Fault{{Kind: NodeKill, Times: 1 + r.IntN(3)}}
		case restart:
			plans[i].Faults = []Fault{{Kind: RegistryRestart, Times: 1 + r.IntN(3), Wait: time.Duration(1+r.IntN(3)) * time.Second}}
		default:
			plans[i].Faults = drawProxy(r)
		}
	}
	return plans
}

// drawProxy draws one or two distinct proxy faults.
func drawProxy(r *rand.Rand) []Fault {
	kinds := append([]Kind(nil), ProxyKinds...)
	r.Shuffle(len(kinds), func(i, j int) { kinds[i], kinds[j] = kinds[j], kinds[i] })
	var out []Fault
	for _, k := range kinds[:1+r.IntN(2)] {
		f := Fault{Kind: k, Times: 1 + r.IntN(3)}
		switch k {
		case Slow:
			f.Wait = time.Duration(1+r.IntN(4)) * time.Second
		case RateLimit:
			f.Times = 1 + r.IntN(2)
			f.Wait = time.Duration(1+r.IntN(3)) * time.Second
		}
		out = append(out, f)
	}
	return out
}
