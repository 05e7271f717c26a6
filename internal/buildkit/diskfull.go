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
// daemon's side, never which of several nodes it is. A build failure
// (exit 4): the node is up, rerunning without freeing space fails again.
func (c *Client) diskFull(during string, err error) error {
	var lost *LostError
	if err == nil || errors.As(err, &lost) || !strings.Contains(err.Error(), enospc) {
		return err
	}
	return failure.Build(&DiskFullError{Addr: c.addr, During: during, err: err})
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
