package carry

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// Two lists sharing a layer: the layer is uploaded once, into the first
// list's repository, and mounted into the second's; an import run again
// uploads and writes nothing, the list's signature included.
func TestImportUploadsASharedBlobOnce(t *testing.T) {
	shared, err := random.Layer(256, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := shared.Digest()
	dir, c := craftLayout(t, shared)
	c.Lists = append(c.Lists, addList(t, dir, "proxyv2", shared))
	signList(t, dir, c, c.Lists[0])
	if err := WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	reg := newLinkingRegistry(t)
	a := access(t, reg.host)

	if _, err := Import(t.Context(), dir, reg.host+"/internal", a, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	uploads, mounts := 0, 0
	for _, w := range reg.writes {
		if strings.HasPrefix(w, "PUT ") && strings.Contains(w, "digest="+strings.Replace(d.String(), ":", "%3A", 1)) {
			uploads++
		}
		if strings.HasPrefix(w, "POST /v2/internal/proxyv2/blobs/uploads/") && strings.Contains(w, "from=internal%2Fpilot") && strings.Contains(w, d.Hex) {
			mounts++
		}
	}
	sig := "PUT /v2/internal/pilot/manifests/sha256-" + c.Lists[0].Digest.Hex + ".sig"
	if !slices.Contains(reg.writes, sig) {
		t.Errorf("no %s among the writes:\n%s", sig, strings.Join(reg.writes, "\n"))
	}
	if uploads != 1 || mounts != 1 {
		t.Errorf("the shared layer: %d uploads, %d mounts into proxyv2; want 1 and 1:\n%s", uploads, mounts, strings.Join(reg.writes, "\n"))
	}
	reg.writes = nil
	if _, err := Import(t.Context(), dir, reg.host+"/internal", a, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(reg.writes) > 0 {
		t.Errorf("the second import wrote:\n%s", strings.Join(reg.writes, "\n"))
	}
}

// signList signs l in the layout at dir, as build --sign-key does.
func signList(t *testing.T, dir string, c Contents, l List) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.NewDigest(c.Hub + "/" + l.Name + "@" + l.Digest.String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sign.NewSigner(key).Sign(publish.LayoutSignatures(layout.Path(dir), c.Hub), ref); err != nil {
		t.Fatal(err)
	}
}

// linkingRegistry is go-containerregistry's registry, which holds every
// blob for every repository, made to link blobs per repository as
// distribution does: a blob is in a repository once uploaded or mounted
// there. It records every request but GET and HEAD.
type linkingRegistry struct {
	host   string
	mu     sync.Mutex
	linked map[string]bool // repository@digest
	writes []string
}

var blobURL = regexp.MustCompile(`^/v2/(.+)/blobs/(sha256:[0-9a-f]{64})$`)

func newLinkingRegistry(t *testing.T) *linkingRegistry {
	r := &linkingRegistry{linked: map[string]bool{}}
	inner := ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		defer r.mu.Unlock()
		repo, _, _ := strings.Cut(strings.TrimPrefix(req.URL.Path, "/v2/"), "/blobs/")
		q := req.URL.Query()
		switch {
		case req.Method != http.MethodGet && req.Method != http.MethodHead:
			r.writes = append(r.writes, req.Method+" "+req.URL.String())
		case blobURL.MatchString(req.URL.Path) && !r.linked[repo+"@"+blobURL.FindStringSubmatch(req.URL.Path)[2]]:
			http.NotFound(w, req)
			return
		}
		if m := q.Get("mount"); req.Method == http.MethodPost && m != "" && r.linked[q.Get("from")+"@"+m] {
			r.linked[repo+"@"+m] = true
			w.Header().Set("Location", "/v2/"+repo+"/blobs/"+m)
			w.WriteHeader(http.StatusCreated)
			return
		}
		if d := q.Get("digest"); req.Method == http.MethodPut && d != "" {
			r.linked[repo+"@"+d] = true
		}
		inner.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.host = strings.TrimPrefix(srv.URL, "http://")
	return r
}
