package buildkit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// enospc is how a full disk reaches the client: gRPC carries the daemon's
// message, not its errno.
const enospc = "no space left on device"

// diskFull names the node when its disk filled up during a solve or an
// export: BuildKit's own message names a snapshot or content path on the
// daemon's side, never which of several nodes it is, and a step that ran
// out (a compile writing its cache) fails with only its exit code, the
// cause in its output, which the tap saw. A build failure (exit 4): the
// node is up, rerunning without freeing space fails again.
func (c *Client) diskFull(tap *manifestTap, err error) error {
	var lost *LostError
	if err == nil || errors.As(err, &lost) || !tap.outOfSpace(err) {
		return err
	}
	return failure.Build(&DiskFullError{Addr: c.addr, During: tap.during(), err: err})
}

// outOfSpace says whether err, or a step's output before it, says the
// node's disk was full.
func (t *manifestTap) outOfSpace(err error) bool {
	<-t.done
	return t.noSpace || strings.Contains(err.Error(), enospc)
}

// DiskFullError is a solve or export that failed because the node's disk
// (its root, where snapshots and content live) was full.
type DiskFullError struct {
	Addr, During string
	err          error
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("BuildKit node %s ran out of disk space during %s (%s): free space under its root (e.g. buildctl prune) and run again",
		e.Addr, e.During, enospc)
}

func (e *DiskFullError) Unwrap() error { return e.err }
