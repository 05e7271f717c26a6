package publish

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// requestLog records the requests that reached the registry.
type requestLog struct {
	mu   sync.Mutex
	reqs []string
}

func (l *requestLog) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		l.reqs = append(l.reqs, r.Method+" "+r.URL.Path)
		l.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

func (l *requestLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = nil
}

func (l *requestLog) count(match func(string) bool) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.reqs {
		if match(r) {
			n++
		}
	}
	return n
}

func isManifestPut(r string) bool {
	return strings.HasPrefix(r, "PUT /v2/") && strings.Contains(r, "/manifests/")
}

// newRegistry serves an in-memory registry over plain HTTP on loopback,
// wrapped by wrap when not nil, and returns its host:port.
func newRegistry(t *testing.T, wrap func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

// isolateDockerConfig keeps the developer's docker credentials out of tests.
func isolateDockerConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	return dir
}

func newPublisher(t *testing.T, opts ...registry.Option) *Publisher {
	t.Helper()
	access, err := registry.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(access)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func platform(s string) ocispecs.Platform { return platforms.MustParse(s) }

// platformImage builds a random image whose config says plat, with extra
// layers on top, and pushes it to repo by digest as BuildKit does.
func platformImage(t *testing.T, repo string, plat string, auth authn.Authenticator, layers ...v1.Layer) PlatformImage {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	return pushPlatformImage(t, repo, plat, auth, img, layers...)
}

// ociPlatformImage is platformImage with OCI media types, as BuildKit
// writes with oci-mediatypes=true.
func ociPlatformImage(t *testing.T, repo string, plat string, layers ...v1.Layer) PlatformImage {
	t.Helper()
	l, err := random.Layer(256, types.OCILayer)
	if err != nil {
		t.Fatal(err)
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	return pushPlatformImage(t, repo, plat, nil, img, append([]v1.Layer{l}, layers...)...)
}

func pushPlatformImage(t *testing.T, repo string, plat string, auth authn.Authenticator, img v1.Image, layers ...v1.Layer) PlatformImage {
	t.Helper()
	img, err := mutate.AppendLayers(img, layers...)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.DeepCopy()
	p := platform(plat)
	cfg.OS, cfg.Architecture, cfg.Variant = p.OS, p.Architecture, p.Variant
	// As upstream's images: verification refuses one that runs as root or has no entrypoint.
	cfg.Config.User, cfg.Config.Entrypoint = "1337:1337", []string{"/usr/local/bin/pilot-agent"}
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(repo+"@"+d.String(), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if auth == nil {
		auth = authn.Anonymous
	}
	if err := remote.Write(ref, img, remote.WithAuth(auth), remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return PlatformImage{Platform: p, Digest: d}
}

// tagDigest returns what repo:tag points at, or the zero hash.
func tagDigest(t *testing.T, repo, tag string) v1.Hash {
	t.Helper()
	ref, err := name.NewTag(repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(ref, remote.WithContext(t.Context()))
	if err != nil {
		return v1.Hash{}
	}
	return d.Digest
}

// setTag points repo:tag at a fresh random image, standing in for a previous release.
func setTag(t *testing.T, repo, tag string) v1.Hash {
	t.Helper()
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewTag(repo+":"+tag, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d
}

// fileLayer is a layer holding files at the given paths.
func fileLayer(t *testing.T, files map[string][]byte) v1.Layer {
	t.Helper()
	l, err := crane.Layer(files)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

var (
	helloOnce sync.Once
	helloBins = map[string][]byte{}
	helloErr  error
)

// hello returns a tiny program cross-compiled for linux/amd64 and linux/arm64.
func hello(t *testing.T, goarch string) []byte {
	t.Helper()
	helloOnce.Do(func() {
		dir, err := os.MkdirTemp("", "publish-hello")
		if err != nil {
			helloErr = err
			return
		}
		defer os.RemoveAll(dir)
		src := filepath.Join(dir, "main.go")
		if helloErr = os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); helloErr != nil {
			return
		}
		for _, arch := range []string{"amd64", "arm64"} {
			out := filepath.Join(dir, arch)
			cmd := exec.Command("go", "build", "-o", out, src)
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+arch, "CGO_ENABLED=0", "GOFLAGS=")
			if b, err := cmd.CombinedOutput(); err != nil {
				helloErr = fmt.Errorf("go build %s: %v\n%s", arch, err, b)
				return
			}
			if helloBins[arch], helloErr = os.ReadFile(out); helloErr != nil {
				return
			}
		}
	})
	if helloErr != nil {
		t.Fatalf("building test binary: %v", helloErr)
	}
	return helloBins[goarch]
}
