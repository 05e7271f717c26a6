package registry

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
)

// storage records the Authorization of each request and answers 200.
func storage(t *testing.T, seen *[]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r.Header.Get("Authorization"))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func redirecting(t *testing.T, to string, tls bool) *httptest.Server {
	t.Helper()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, to+r.URL.Path+"?sig=SECRET", http.StatusTemporaryRedirect)
	})
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

func guarded(srv *httptest.Server, allowed ...string) *http.Client {
	base := srv.Client().Transport
	allow := map[string]bool{}
	for _, h := range allowed {
		allow[h] = true
	}
	return &http.Client{Transport: &redirectGuard{inner: &plainHTTPGuard{inner: base, allowed: allow}}}
}

// Both servers are on 127.0.0.1: Go's client alone would keep the header.
func TestRedirectToAnotherPortDropsAuthorization(t *testing.T) {
	var seen []string
	store := storage(t, &seen)
	reg := redirecting(t, store.URL, false)
	host := func(s *httptest.Server) string { return strings.TrimPrefix(s.URL, "http://") }
	req, _ := http.NewRequest(http.MethodGet, reg.URL+"/v2/istio/pilot/blobs/sha256:abc", nil)
	req.Header.Set("Authorization", "Basic c2VjcmV0")
	resp, err := guarded(reg, host(reg), host(store)).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(seen) != 1 || seen[0] != "" {
		t.Errorf("storage saw Authorization %q, want none", seen)
	}
}

func TestRedirectFromHTTPSToHTTPRefused(t *testing.T) {
	var seen []string
	store := storage(t, &seen)
	reg := redirecting(t, store.URL, true)
	req, _ := http.NewRequest(http.MethodGet, reg.URL+"/v2/istio/pilot/blobs/sha256:abc", nil)
	_, err := guarded(reg, strings.TrimPrefix(store.URL, "http://")).Do(req)
	var down *DowngradeError
	if !errors.As(err, &down) || len(seen) != 0 {
		t.Fatalf("got %v, storage reached %d times: want a refused downgrade", err, len(seen))
	}
	ref, _ := name.ParseReference("registry.local/istio/pilot:1.22.0")
	if msg := Explain("reading", ref, err).Error(); strings.Contains(msg, "SECRET") {
		t.Errorf("the error %q shows the signed query", msg)
	}
}
