package registry

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// rateLimited answers the first n manifest PUTs with 429 and retryAfter.
func rateLimited(t *testing.T, n int64, retryAfter string) (host string, puts *atomic.Int64) {
	t.Helper()
	reg := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	puts = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") && puts.Add(1) <= n {
			w.Header().Set("Retry-After", retryAfter)
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://"), puts
}

func push(t *testing.T, host string) (time.Duration, error) {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	a, err := New(WithInsecure(host))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := a.Repository(host + "/istio/pilot")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(64, 1)
	start := time.Now()
	err = remote.Write(repo.Tag("t"), img, a.Remote(t.Context())...)
	return time.Since(start), err
}

func TestRetryAfterIsWaitedOut(t *testing.T) {
	host, puts := rateLimited(t, 1, "2")
	took, err := push(t, host)
	if err != nil {
		t.Fatal(err)
	}
	if took < 2*time.Second || puts.Load() != 2 {
		t.Fatalf("took %s with %d PUTs, want at least 2s and 2 PUTs", took, puts.Load())
	}
}

func TestLongRetryAfterFailsAtOnce(t *testing.T) {
	host, puts := rateLimited(t, 100, "3600")
	took, err := push(t, host)
	var rl *RateLimitError
	if !errors.As(err, &rl) || rl.Wait != time.Hour {
		t.Fatalf("got %v, want a RateLimitError for 1h", err)
	}
	if !strings.Contains(err.Error(), "asks to wait 1h0m0s") {
		t.Errorf("message %q does not name the wait", err)
	}
	if took > 2*time.Second || puts.Load() != 1 {
		t.Fatalf("took %s with %d PUTs, want one PUT and no wait", took, puts.Load())
	}
}

func TestRateLimitRetriesAreBounded(t *testing.T) {
	host, puts := rateLimited(t, 100, "0")
	if _, err := push(t, host); err == nil {
		t.Fatal("pushed through a registry that always answers 429")
	}
	// One layer retries 429: ggcr's retry must not multiply these.
	if puts.Load() != rateLimitTries {
		t.Fatalf("%d PUTs, want %d", puts.Load(), rateLimitTries)
	}
}

func TestRetryAfterDate(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{
		"5": 5 * time.Second, "": time.Second, "soon": time.Second,
		now.Add(90 * time.Second).Format(http.TimeFormat): 90 * time.Second,
		now.Add(-time.Hour).Format(http.TimeFormat):       0,
	} {
		if got := retryAfterWait(v, now); got != want {
			t.Errorf("Retry-After %q: %s, want %s", v, got, want)
		}
	}
}
