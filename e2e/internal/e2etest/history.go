package e2etest

import (
	"io"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
)

// History is every build record a BuildKit node keeps.
func History(t *testing.T, addr string) []*controlapi.BuildHistoryRecord {
	t.Helper()
	c := dial(t, addr)
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

// VertexNames are the names of every step of the builds a node finished
// since `since`, cached ones included, as BuildKit replays them from its
// history (what `buildx history logs` shows).
func VertexNames(t *testing.T, addr string, since time.Time) []string {
	t.Helper()
	c := dial(t, addr)
	var names []string
	for _, r := range History(t, addr) {
		if r.CreatedAt.AsTime().Before(since) {
			continue
		}
		stream, err := c.ControlClient().Status(t.Context(), &controlapi.StatusRequest{Ref: r.Ref})
		if err != nil {
			t.Fatal(err)
		}
		for {
			st, err := stream.Recv()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("replaying build %s: %v", r.Ref, err)
			}
			for _, v := range st.Vertexes {
				names = append(names, v.Name)
			}
		}
	}
	return names
}

func dial(t *testing.T, addr string) *client.Client {
	t.Helper()
	c, err := client.New(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
