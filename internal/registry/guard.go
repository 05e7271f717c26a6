package registry

import (
	"fmt"
	"net"
	"net/http"
	"time"
)

// PlainHTTPError reports a plain HTTP request to a host not allowed it.
type PlainHTTPError struct {
	Host string
	// Down is why the host cannot be reached at all, if it cannot: then
	// the HTTPS attempt before the plain one failed for that reason, and
	// plain HTTP is not the problem.
	Down error
}

func (e *PlainHTTPError) Error() string {
	if e.Down != nil {
		return fmt.Sprintf("cannot reach %s: %v", e.Host, e.Down)
	}
	return fmt.Sprintf("plain HTTP to %s refused: serve TLS there or pass --insecure-registry %s", e.Host, e.Host)
}

// plainHTTPGuard sits under ggcr's transports, so it also sees its
// https-then-http ping fallback, token realms and blob redirects.
type plainHTTPGuard struct {
	inner   http.RoundTripper
	allowed map[string]bool
}

func (g *plainHTTPGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !g.allowed[req.URL.Host] {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &PlainHTTPError{Host: req.URL.Host, Down: reachable(req)}
	}
	return g.inner.RoundTrip(req)
}

// reachable dials the registry's TLS address (go-containerregistry falls
// back to plain HTTP only after HTTPS failed): a refused or timed-out
// connection says more than the refused fallback.
func reachable(req *http.Request) error {
	addr := req.URL.Host
	if req.URL.Port() == "" {
		addr = net.JoinHostPort(req.URL.Hostname(), "443")
	}
	d := net.Dialer{Timeout: 3 * time.Second}
	conn, err := d.DialContext(req.Context(), "tcp", addr)
	if err != nil {
		return err
	}
	return conn.Close()
}
