package buildkit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"syscall"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// lost names the node when the connection to it broke during a solve:
// gRPC's "Unavailable: error reading from server: EOF" says neither which of
// several nodes went away nor what to do about it. during is what the solve
// was doing, e.g. "a solve" or "an export".
func (c *Client) lost(ctx context.Context, during string, err error) error {
	if ctx.Err() != nil || !connectionLost(err) {
		return err
	}
	return failure.Node(&LostError{Addr: c.addr, During: during, err: err})
}

// LostError is a solve whose node went away: buildkitd stopped, crashed or
// became unreachable while it ran.
type LostError struct {
	Addr, During string
	err          error
}

func (e *LostError) Error() string {
	return fmt.Sprintf("BuildKit node %s was lost during %s (%s): restart buildkitd there and run again",
		e.Addr, e.During, dialCause(e.err))
}

func (e *LostError) Unwrap() error { return e.err }

// connectionLost reports an error of a connection that broke, as opposed
// to a solve the daemon itself failed.
func connectionLost(err error) bool {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE) {
		return true
	}
	for e := err; e != nil; e = errors.Unwrap(e) {
		if s, ok := status.FromError(e); ok && s.Code() == codes.Unavailable {
			return true
		}
	}
	return false
}
