// Package soak holds the sustained-fault and load tests: TestSoak runs
// consecutive pilot builds of the fixture's 1.22.0 through a fault proxy
// with faults drawn from a seed (SOAK_SEED, printed) and checks the tag
// invariant and the registry's blobs after each; SOAK_RUNS builds (5 in
// the default e2e run, 30 under `make soak`). The report goes to SOAK_OUT
// when set (see docs/reliability.md).
package soak
