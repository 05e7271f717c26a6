package buildkit

import (
	"errors"
	"fmt"
	"testing"

	"github.com/moby/buildkit/client"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/istio-mab/istio-mab/internal/failure"
)

func TestDiskFullNamesTheNodeAndTheCause(t *testing.T) {
	c := &Client{addr: "unix:///run/b.sock"}
	full := fmt.Errorf("failed to solve: %w", status.Error(codes.Unknown,
		`failed to export image: failed to write compressed diff: failed to create diff tar stream: write /var/lib/buildkit/content/ingest/x/data: no space left on device`))
	err := c.diskFull(finishedTap(true), full)
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
	if got := c.diskFull(finishedTap(false), failed); got != failed {
		t.Errorf("a failed solve became %v", got)
	}
}

// TestDiskFullSeenInAStepsOutput: a compile that ran out of space fails
// with only its exit code; the tap saw the cause in its output.
func TestDiskFullSeenInAStepsOutput(t *testing.T) {
	c := &Client{addr: "unix:///run/b.sock"}
	in, tap := tapManifest(nil)
	in <- &client.SolveStatus{Logs: []*client.VertexLog{{Data: []byte("write /root/.cache/go-build/55/55ff-d: no space left on device\n")}}}
	close(in)
	failed := status.Error(codes.Unknown, `process "/bin/sh -c go build" did not complete successfully: exit code: 1`)
	err := c.diskFull(tap, failed)
	want := "BuildKit node unix:///run/b.sock ran out of disk space during a solve (no space left on device): free space under its root (e.g. buildctl prune) and run again"
	if err == nil || err.Error() != want || failure.Code(err) != failure.CodeBuild {
		t.Fatalf("got %v (exit %d)\nwant %s (exit 4)", err, failure.Code(err), want)
	}
}

// finishedTap is a tap whose solve ended, exporting or not.
func finishedTap(exporting bool) *manifestTap {
	in, tap := tapManifest(nil)
	if exporting {
		in <- &client.SolveStatus{Vertexes: []*client.Vertex{{Name: "exporting to image"}}}
	}
	close(in)
	return tap
}
