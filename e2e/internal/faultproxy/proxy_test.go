package faultproxy

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// start runs an in-memory registry with a proxy in front of it.
func start(t *testing.T) (*Proxy, *httptest.Server) {
	t.Helper()
	up := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(up.Close)
	p, err := New(up.URL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p, up
}

func get(t *testing.T, url string) (*http.Response, []byte, error) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}

func TestPushThroughProxyStaysOnProxy(t *testing.T) {
	p, up := start(t)
	ref, err := name.ParseReference(p.Host()+"/x/y:t", name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(1024, 2)
	if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	if n := p.Count(http.MethodPut, "/manifests/t$"); n != 1 {
		t.Errorf("%d manifest PUTs logged, want 1", n)
	}
	upHost := strings.TrimPrefix(up.URL, "http://")
	for _, r := range p.Requests() {
		if strings.Contains(r.Query, upHost) {
			t.Errorf("%s %s?%s names the upstream", r.Method, r.Path, r.Query)
		}
	}
	if p.Count(http.MethodPatch, "/blobs/uploads/")+p.Count(http.MethodPut, "/blobs/uploads/") == 0 {
		t.Error("no upload step went through the proxy: Locations point elsewhere")
	}
}

func TestStatusForTimesThenForward(t *testing.T) {
	p, _ := start(t)
	p.Add(Rule{Method: http.MethodGet, Path: regexp.MustCompile("^/v2/$"), Times: 2,
		Fault: Fault{Status: 503, Header: http.Header{"Retry-After": {"7"}}}})
	for i, want := range []int{503, 503, 200} {
		resp, _, err := get(t, p.URL()+"/v2/")
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != want {
			t.Errorf("request %d: %d, want %d", i, resp.StatusCode, want)
		}
		if want == 503 && resp.Header.Get("Retry-After") != "7" {
			t.Errorf("request %d: Retry-After %q", i, resp.Header.Get("Retry-After"))
		}
	}
	faulted := 0
	for _, r := range p.Requests() {
		if r.Faulted {
			faulted++
		}
	}
	if faulted != 2 || p.Count("GET", "^/v2/$") != 3 {
		t.Errorf("log: %d faulted of %d, want 2 of 3", faulted, p.Count("GET", ""))
	}
}

func TestResetIsConnectionReset(t *testing.T) {
	p, _ := start(t)
	p.Add(Rule{Fault: Fault{Reset: true}})
	_, _, err := get(t, p.URL()+"/v2/")
	if !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want a connection reset", err)
	}
}

func TestCorruptFlipsOneByte(t *testing.T) {
	p, up := start(t)
	img, _ := random.Image(256, 1)
	ref, _ := name.ParseReference(strings.TrimPrefix(up.URL, "http://")+"/x/y:t", name.Insecure)
	if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	p.Add(Rule{Path: regexp.MustCompile("/manifests/"), Fault: Fault{Corrupt: true}})
	_, bad, err := get(t, p.URL()+"/v2/x/y/manifests/t")
	if err != nil {
		t.Fatal(err)
	}
	good, _ := img.RawManifest()
	diff := 0
	for i := range good {
		if i < len(bad) && good[i] != bad[i] {
			diff++
		}
	}
	if len(bad) != len(good) || diff != 1 {
		t.Fatalf("%d bytes differ, lengths %d and %d: want one flipped byte", diff, len(bad), len(good))
	}
	d, _ := img.Digest()
	pref, _ := name.ParseReference(p.Host()+"/x/y@"+d.String(), name.Insecure)
	if _, err := remote.Image(pref, remote.WithContext(t.Context())); err == nil {
		t.Fatal("ggcr accepted a corrupted manifest by digest")
	}
}

func TestOversizedBodyAndDelay(t *testing.T) {
	p, _ := start(t)
	p.Add(Rule{Fault: Fault{Status: 500, BodySize: 10 << 20, Delay: 200 * time.Millisecond}})
	start := time.Now()
	resp, b, err := get(t, p.URL()+"/v2/")
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 500 || len(b) != 10<<20 {
		t.Fatalf("status %d, %d bytes", resp.StatusCode, len(b))
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Fatalf("answered after %s, want at least the delay", d)
	}
}

func TestMatchSeesBodyAndHeader(t *testing.T) {
	p, _ := start(t)
	p.Add(Rule{Method: http.MethodPut, Header: map[string]string{"Content-Type": "list"},
		Match: func(_ *http.Request, body []byte) bool { return strings.Contains(string(body), "needle") },
		Fault: Fault{Status: 400}})
	put := func(ct, body string) int {
		req, _ := http.NewRequest(http.MethodPut, p.URL()+"/v2/x/y/manifests/t", strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := put("application/list", "a needle"); got != 400 {
		t.Errorf("matching request: %d, want 400", got)
	}
	if got := put("application/other", "a needle"); got == 400 {
		t.Error("header mismatch still faulted")
	}
	if got := put("application/list", "hay"); got == 400 {
		t.Error("body mismatch still faulted")
	}
}

func TestRecorderAndLoopbackOnly(t *testing.T) {
	if _, err := New("", Options{Addr: "0.0.0.0:0"}); err == nil {
		t.Error("listening beyond loopback was allowed")
	}
	r, err := New("", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	req, _ := http.NewRequest(http.MethodGet, r.URL()+"/blob?sig=x", nil)
	req.Header.Set("Authorization", "Basic abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	got := r.Requests()
	if resp.StatusCode != 404 || len(got) != 1 || got[0].Header.Get("Authorization") != "Basic abc" || got[0].Query != "sig=x" {
		t.Fatalf("status %d, log %+v", resp.StatusCode, got)
	}
}

func TestHoldWaitsForChannel(t *testing.T) {
	p, _ := start(t)
	release := make(chan struct{})
	p.Add(Rule{Fault: Fault{Hold: release}})
	go func() { time.Sleep(300 * time.Millisecond); close(release) }()
	start := time.Now()
	if _, _, err := get(t, p.URL()+"/v2/"); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("answered after %s, before the hold was released", d)
	}
}
