package registry

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// A plain HTTP request to a host not allowed it is refused naming the fix,
// unless the host cannot be reached at all: then that is what it says.
func TestPlainHTTPGuardNamesTheRealProblem(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	closed := ln.Addr().String()
	ln.Close()
	g := &plainHTTPGuard{inner: http.DefaultTransport, allowed: map[string]bool{}}
	for url, want := range map[string]string{
		srv.URL + "/v2/":            "pass --insecure-registry",
		"http://" + closed + "/v2/": "connection refused",
	} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		_, err := g.RoundTrip(req)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("GET %s: %v, want an error saying %q", url, err, want)
		}
	}
}
