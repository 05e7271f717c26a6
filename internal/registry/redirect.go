package registry

import (
	"fmt"
	"net/http"
)

// DowngradeError reports a redirect from HTTPS to plain HTTP.
type DowngradeError struct {
	From, To string
}

func (e *DowngradeError) Error() string {
	return fmt.Sprintf("%s redirected to plain HTTP at %s: refused, as it would expose the request; fix the registry's storage redirect", e.From, e.To)
}

// redirectGuard sits under ggcr's auth transports, so it sees each request
// of a redirect chain as it goes on the wire. Go's client keeps
// Authorization across a redirect to the same domain on another port
// (127.0.0.1:5000 to 127.0.0.1:9000), and registries redirect blob reads to
// storage hosts: the registry's credentials go to no host but the one they
// were asked for. A redirect from HTTPS to plain HTTP is refused.
type redirectGuard struct {
	inner http.RoundTripper
}

func (g *redirectGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	first := firstOfChain(req)
	if first == req {
		return g.inner.RoundTrip(req)
	}
	if first.URL.Scheme == "https" && req.URL.Scheme == "http" {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &DowngradeError{From: first.URL.Host, To: req.URL.Host}
	}
	if req.URL.Host != first.URL.Host && req.Header.Get("Authorization") != "" {
		req = req.Clone(req.Context())
		req.Header.Del("Authorization")
	}
	return g.inner.RoundTrip(req)
}

// firstOfChain is the request that started req's redirect chain.
func firstOfChain(req *http.Request) *http.Request {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req
}
