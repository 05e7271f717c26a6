package registry

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// UnreachableError is a registry that could not be reached at all, with
// the cause in words (refused, timed out, unknown host), so the fix the
// message gives is about the network, not about credentials or TLS.
type UnreachableError struct {
	Host, Cause string
	err         error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach %s: %s: check the address and that the registry runs, then retry", e.Host, e.Cause)
}

func (e *UnreachableError) Unwrap() error { return e.err }

// unreachable says why host could not be connected to; nil when err is
// not a failure to connect.
func unreachable(host string, err error) error {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &UnreachableError{Host: host, Cause: "no such host (" + dns.Name + ")", err: err}
	}
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "dial" {
		return nil
	}
	cause := op.Err.Error()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		cause = "connection refused"
	case op.Timeout():
		cause = "connection timed out"
	}
	return &UnreachableError{Host: host, Cause: cause, err: err}
}
