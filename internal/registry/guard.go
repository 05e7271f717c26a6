package registry

import (
	"fmt"
	"net/http"
)

// PlainHTTPError reports a plain HTTP request to a host not allowed it.
type PlainHTTPError struct {
	Host string
}

func (e *PlainHTTPError) Error() string {
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
		return nil, &PlainHTTPError{Host: req.URL.Host}
	}
	return g.inner.RoundTrip(req)
}
