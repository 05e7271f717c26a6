package buildkit

import (
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/istio-mab/istio-mab/internal/failure"
)

func TestDiskFullNamesTheNodeAndTheCause(t *testing.T) {
	c := &Client{addr: "unix:///run/b.sock"}
	full := fmt.Errorf("failed to solve: %w", status.Error(codes.Unknown,
		`failed to export image: failed to write compressed diff: failed to create diff tar stream: write /var/lib/buildkit/content/ingest/x/data: no space left on device`))
	err := c.diskFull("an export", full)
	want := "BuildKit node unix:///run/b.sock ran out of disk space during an export (no space left on device): free space under its root (e.g. buildctl prune) and run again"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if code := failure.Code(err); code != failure.CodeBuild {
		t.Errorf("exit %d, want %d", code, failure.CodeBuild)
	}
	if !errors.Is(err, full) {
		t.Error("the cause is not kept")
	}
	failed := status.Error(codes.Unknown, `process "go build" did not complete successfully`)
	if got := c.diskFull("a solve", failed); got != failed {
		t.Errorf("a failed solve became %v", got)
	}
}
