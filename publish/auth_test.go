package publish

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// requireBasicAuth answers 401 with a Basic challenge unless user:pass is sent.
func requireBasicAuth(user, pass string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusUnauthorized)
				fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func writeDockerConfig(t *testing.T, host, user, pass string) {
	t.Helper()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfg := fmt.Sprintf(`{"auths":{%q:{"auth":%q}}}`, host, auth)
	if err := os.WriteFile(filepath.Join(isolateDockerConfig(t), "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestBasicAuthFromDockerConfig(t *testing.T) {
	var reqs requestLog
	host := newRegistry(t, func(h http.Handler) http.Handler {
		return reqs.wrap(requireBasicAuth("ci", "s3cret")(h))
	})
	repo := host + "/istio/pilot"
	pushAuth := &authn.Basic{Username: "ci", Password: "s3cret"}
	img := Image{
		Repository: repo,
		Platforms:  []PlatformImage{platformImage(t, repo, "linux/amd64", pushAuth), platformImage(t, repo, "linux/arm64", pushAuth)},
		Tags:       []string{"1.14.6"},
	}

	t.Run("right password", func(t *testing.T) {
		writeDockerConfig(t, host, "ci", "s3cret")
		if _, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong password fails fast with one line", func(t *testing.T) {
		writeDockerConfig(t, host, "ci", "wrong-password")
		reqs.reset()
		start := time.Now()
		_, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img)
		elapsed := time.Since(start)
		if err == nil {
			t.Fatal("want error")
		}
		msg := err.Error()
		want := fmt.Sprintf("authentication failed for %s (401): check the credentials in docker config (docker login %s)", host, host)
		if !strings.HasSuffix(msg, want) || strings.Contains(msg, "\n") || strings.Contains(msg, "wrong-password") {
			t.Fatalf("got %q, want one line ending %q", msg, want)
		}
		var authErr *registry.AuthError
		if !errors.As(err, &authErr) {
			t.Fatalf("want *registry.AuthError in %v", err)
		}
		if elapsed > 2*time.Second {
			t.Fatalf("took %v, want < 2s", elapsed)
		}
		// Two platform images verified in parallel: a ping and one GET each.
		if n := reqs.count(func(string) bool { return true }); n > 6 {
			t.Fatalf("%d requests, want no retries: %v", n, reqs.reqs)
		}
		t.Logf("%d requests in %v: %s", len(reqs.reqs), elapsed, msg)
	})
}
