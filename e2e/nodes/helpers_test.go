package nodes

import (
	"io"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
)

// exportingSolves counts the solves a node ran since `since` that exported
// something (compiles, Envoy fetches, images); reading metadata exports nothing.
func exportingSolves(t *testing.T, addr string, since time.Time) int {
	t.Helper()
	n := 0
	for _, r := range history(t, addr) {
		if !r.CreatedAt.AsTime().Before(since) && len(r.Exporters) > 0 {
			n++
		}
	}
	return n
}

// history is every build record a node keeps.
func history(t *testing.T, addr string) []*controlapi.BuildHistoryRecord {
	t.Helper()
	c, err := client.New(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stream, err := c.ControlClient().ListenBuildHistory(t.Context(), &controlapi.BuildHistoryRequest{EarlyExit: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []*controlapi.BuildHistoryRecord
	for {
		ev, err := stream.Recv()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Record != nil {
			out = append(out, ev.Record)
		}
	}
}

// imageSolves counts the Dockerfile solves a node ran since `since`, by the
// number of solves per platform built.
func imageSolves(t *testing.T, addr string, since time.Time) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range history(t, addr) {
		if r.Frontend == "dockerfile.v0" && !r.CreatedAt.AsTime().Before(since) {
			out[r.FrontendAttrs["platform"]]++
		}
	}
	return out
}
