package stack

import (
	"archive/tar"
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// testTag is a fresh tag under e2e-stack/ on host, parsed the way the tool does.
func testTag(t *testing.T, a *registry.Access, host string) name.Tag {
	t.Helper()
	repo, err := a.Repository(host + "/e2e-stack/" + e2etest.RandomSuffix(t))
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
