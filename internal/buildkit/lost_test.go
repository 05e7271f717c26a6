package buildkit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestLostNamesTheNode(t *testing.T) {
	c := &Client{addr: "unix:///run/b.sock"}
	unavailable := fmt.Errorf("failed to receive status: %w", status.Error(codes.Unavailable, "error reading from server: EOF"))
	err := c.lost(context.Background(), "an export", unavailable)
	want := "BuildKit node unix:///run/b.sock was lost during an export (EOF): restart buildkitd there and run again"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if !errors.Is(err, unavailable) {
		t.Error("the cause is not kept")
	}
	failed := status.Error(codes.Unknown, "process \"go build\" did not complete successfully")
	if got := c.lost(context.Background(), "a solve", failed); got != failed {
		t.Errorf("a failed solve became %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := c.lost(ctx, "a solve", unavailable); strings.Contains(got.Error(), "was lost") {
		t.Errorf("an interrupted run's error %q blames the node", got)
	}
}
