package registry

import (
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestOptionsAreValidated(t *testing.T) {
	notPEM := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]Option{
		"insecure with scheme": WithInsecure("http://registry.local:5000"),
		"insecure with path":   WithInsecure("registry.local:5000/istio"),
		"missing CA file":      WithRootCAs(filepath.Join(t.TempDir(), "missing.pem")),
		"CA file without PEM":  WithRootCAs(notPEM),
		"nil keychain":         WithKeychain(nil),
		"empty user agent":     WithUserAgent(""),
	}
	for name, opt := range cases {
		if _, err := New(opt); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
	if _, err := New(WithInsecure("registry.local:5000", "localhost"), WithKeychain(authn.NewMultiKeychain())); err != nil {
		t.Fatal(err)
	}
}

func TestRepositoryIsInsecureOnlyWhenListed(t *testing.T) {
	a, err := New(WithInsecure("registry.local:5000"))
	if err != nil {
		t.Fatal(err)
	}
	for s, want := range map[string]string{
		"registry.local:5000/istio/pilot": "http",
		"registry.local:5001/istio/pilot": "https",
		"quay.io/istio/pilot":             "https",
	} {
		repo, err := a.Repository(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := repo.Scheme(); got != want {
			t.Errorf("%s: scheme %s, want %s", s, got, want)
		}
	}
}

func TestGuardRefusesUnlistedPlainHTTP(t *testing.T) {
	reached := 0
	g := &plainHTTPGuard{
		inner:   roundTripFunc(func(*http.Request) (*http.Response, error) { reached++; return &http.Response{StatusCode: 200}, nil }),
		allowed: map[string]bool{"10.0.0.1:5000": true},
	}
	for url, wantErr := range map[string]bool{
		"http://10.0.0.1:5000/v2/":  false,
		"http://10.0.0.1:5001/v2/":  true,
		"http://127.0.0.1:5000/v2/": true,
		"https://10.0.0.2/v2/":      false,
	} {
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		_, err := g.RoundTrip(req)
		var plain *PlainHTTPError
		if wantErr != errors.As(err, &plain) {
			t.Errorf("%s: got %v", url, err)
		}
	}
	if reached != 2 {
		t.Fatalf("%d requests reached the wire, want 2", reached)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestExplainAuthFailure(t *testing.T) {
	ref, _ := name.ParseReference("registry.local/istio/pilot:1.14.6")
	req, _ := http.NewRequest(http.MethodPut, "https://user:pw@registry.local/v2/istio/pilot/manifests/1.14.6", nil)
	err := Explain("tagging", ref, &transport.Error{StatusCode: http.StatusForbidden, Request: req})
	want := "tagging registry.local/istio/pilot:1.14.6: authentication failed for registry.local (403): check the credentials in docker config (docker login registry.local)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if Explain("tagging", ref, nil) != nil {
		t.Fatal("nil error must stay nil")
	}
}

func TestRootCAsTrustPrivateRegistry(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	srv := httptest.NewUnstartedServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below is expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	block := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(caFile, block, 0o644); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(srv.URL, "https://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}

	trusting, err := New(WithRootCAs(caFile))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := trusting.Repository(host + "/istio/pilot")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag("ca"), img, trusting.Remote(t.Context())...); err != nil {
		t.Fatalf("with the CA: %v", err)
	}

	plain, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(repo.Tag("no-ca"), img, plain.Remote(t.Context())...); err == nil {
		t.Fatal("without the CA: want a certificate error")
	}
}

func TestExplainDropsURLQueries(t *testing.T) {
	ref, _ := name.ParseReference("registry.local/istio/pilot:1.22.0")
	cause := errors.New("error verifying sha256 checksum after reading 512 bytes")
	long := "http://registry.local/v2/istio/pilot/blobs/uploads/1?_state=" + strings.Repeat("s", 400) + "&sig=SECRET"
	err := Explain("copying to", ref, &url.Error{Op: "Patch", URL: long, Err: cause})
	msg := err.Error()
	if strings.Contains(msg, "SECRET") || strings.Contains(msg, "_state") || !strings.Contains(msg, cause.Error()) {
		t.Errorf("got %q: want the cause, no query", msg)
	}
	if !errors.Is(err, cause) {
		t.Error("the cause is not kept")
	}
}
