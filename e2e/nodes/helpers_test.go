package nodes

import (
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// exportingSolves counts the solves a node ran since `since` that exported
// something (compiles, Envoy fetches, images); reading metadata exports nothing.
func exportingSolves(t *testing.T, addr string, since time.Time) int {
	t.Helper()
	n := 0
	for _, r := range e2etest.History(t, addr) {
		if !r.CreatedAt.AsTime().Before(since) && len(r.Exporters) > 0 {
			n++
		}
	}
	return n
}

// imageSolves counts the Dockerfile solves a node ran since `since`, by the
// number of solves per platform built.
func imageSolves(t *testing.T, addr string, since time.Time) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range e2etest.History(t, addr) {
		if r.Frontend == "dockerfile.v0" && !r.CreatedAt.AsTime().Before(since) {
			out[r.FrontendAttrs["platform"]]++
		}
	}
	return out
}
