package e2e

import (
	"archive/tar"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// repoRoot is the module root; tests run with cwd = e2e/.
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repository root %s has no go.mod: %v", root, err)
	}
	return root
}

// fixtureReleases is what the fixture trees say about each tag.
func fixtureReleases(t *testing.T) []fixture.Release {
	t.Helper()
	td, err := fixture.TestdataDir(repoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	rels, err := fixture.ReadReleases(filepath.Join(td, "fixture"))
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) == 0 {
		t.Fatal("fixture has no releases")
	}
	return rels
}

func fixtureRelease(t *testing.T, tag string) fixture.Release {
	t.Helper()
	for _, r := range fixtureReleases(t) {
		if r.Tag == tag {
			return r
		}
	}
	t.Fatalf("fixture has no release %s", tag)
	return fixture.Release{}
}

func randomSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// randomImage is a one-layer image whose config names a linux platform.
func randomImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func newAccess(t *testing.T, opts ...registry.Option) *registry.Access {
	t.Helper()
	a, err := registry.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testTag is a fresh tag under e2e-stack/ on host, parsed the way the tool does.
func testTag(t *testing.T, a *registry.Access, host string) name.Tag {
	t.Helper()
	repo, err := a.Repository(host + "/e2e-stack/" + randomSuffix(t))
	if err != nil {
		t.Fatal(err)
	}
	return repo.Tag("t")
}

// pushPull pushes img to ref, pulls it back and compares digests; the
// manifest is deleted again when the test ends.
func pushPull(t *testing.T, a *registry.Access, ref name.Tag, img v1.Image) {
	t.Helper()
	ctx := t.Context()
	if err := remote.Write(ref, img, a.Remote(ctx)...); err != nil {
		t.Fatalf("push %s: %v", ref, registry.Explain("push", ref, err))
	}
	want, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// t.Context is done in cleanups; a short fresh one is enough.
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = remote.Delete(ref.Context().Digest(want.String()), a.Remote(ctx)...)
	})
	got, err := remote.Image(ref, a.Remote(ctx)...)
	if err != nil {
		t.Fatalf("pull %s: %v", ref, registry.Explain("pull", ref, err))
	}
	gd, err := got.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if gd != want {
		t.Fatalf("pulled %s has digest %s, pushed %s", ref, gd, want)
	}
}

// dockerConfig points authn.DefaultKeychain (as the tool uses it) at a
// fresh config.json holding user:pass for host.
func dockerConfig(t *testing.T, host, user, pass string) {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

// countRequests makes every Access created until restore is called count
// its HTTP requests: registry.New clones remote.DefaultTransport, Proxy
// included, and Proxy runs once per HTTP/1 request. HTTP/2 requests skip
// Proxy, so the clone speaks HTTP/1 only; the retry logic sits above it.
func countRequests(t *testing.T) (n *atomic.Int64, restore func()) {
	t.Helper()
	orig := remote.DefaultTransport
	tr := orig.(*http.Transport).Clone()
	tr.Protocols = new(http.Protocols)
	tr.Protocols.SetHTTP1(true)
	n = &atomic.Int64{}
	inner := tr.Proxy
	tr.Proxy = func(r *http.Request) (*url.URL, error) {
		n.Add(1)
		if inner == nil {
			return nil, nil
		}
		return inner(r)
	}
	remote.DefaultTransport = tr
	restore = func() { remote.DefaultTransport = orig }
	t.Cleanup(restore)
	return n, restore
}

// httpGet fetches url from a loopback server and returns status and body.
func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, b
}

// tarFind advances the tar stream r to the regular file at path (leading
// "./" or "/" ignored); found is false when the stream has none.
func tarFind(r io.Reader, path string) (tr *tar.Reader, found bool, err error) {
	tr = tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		n := strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/")
		if n == path && h.Typeflag == tar.TypeReg {
			return tr, true, nil
		}
	}
}
