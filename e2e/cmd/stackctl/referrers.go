package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// maxManifest bounds what a manifest PUT may hold, as real registries do (4MiB).
const maxManifest = 4 << 20

// referrersConformance wraps go-containerregistry's registry where its
// referrers support falls short of the OCI distribution spec 1.1, so clients
// get the answers a conformant registry gives:
//   - a referrer's artifactType is the manifest's own artifactType, its config
//     media type only when it has none (the wrapped registry always reports the
//     config's: cosign's Sigstore bundles would read application/vnd.oci.empty.v1+json);
//   - ?artifactType= filters the list, and OCI-Filters-Applied says so;
//   - a digest of an unknown repository has no referrers: 200 with an empty
//     index, never 404;
//   - pushing a manifest with a subject answers OCI-Subject, which tells
//     clients the registry indexes it (no fallback tag needed).
type referrersConformance struct{ inner http.Handler }

func (c referrersConformance) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	elems := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	n := len(elems)
	if n < 4 || elems[0] != "v2" {
		c.inner.ServeHTTP(w, r)
		return
	}
	repo, kind, ref := strings.Join(elems[1:n-2], "/"), elems[n-2], elems[n-1]
	switch {
	case kind == "referrers" && r.Method == http.MethodGet:
		c.referrers(w, r, repo, ref)
	case kind == "manifests" && r.Method == http.MethodPut:
		c.putManifest(w, r)
	default:
		c.inner.ServeHTTP(w, r)
	}
}

func (c referrersConformance) putManifest(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, maxManifest+1))
	if err != nil || len(body) > maxManifest {
		http.Error(w, `{"errors":[{"code":"SIZE_INVALID","message":"manifest unreadable or over 4MiB"}]}`, http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var m struct {
		Subject *v1.Descriptor `json:"subject"`
	}
	if json.Unmarshal(body, &m) == nil && m.Subject != nil {
		w = &subjectHeader{ResponseWriter: w, subject: m.Subject.Digest.String()}
	}
	c.inner.ServeHTTP(w, r)
}

// subjectHeader adds OCI-Subject to a successful manifest push.
type subjectHeader struct {
	http.ResponseWriter
	subject string
}

func (s *subjectHeader) WriteHeader(code int) {
	if code == http.StatusCreated {
		s.Header().Set("OCI-Subject", s.subject)
	}
	s.ResponseWriter.WriteHeader(code)
}

func (c referrersConformance) referrers(w http.ResponseWriter, r *http.Request, repo, digest string) {
	if _, err := v1.NewHash(digest); err != nil {
		c.inner.ServeHTTP(w, r) // 400, as the spec wants for a malformed digest
		return
	}
	rec := httptest.NewRecorder()
	c.inner.ServeHTTP(rec, r)
	idx := v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}
	switch rec.Code {
	case http.StatusOK:
		if err := json.Unmarshal(rec.Body.Bytes(), &idx); err != nil {
			http.Error(w, "referrers: "+err.Error(), http.StatusInternalServerError)
			return
		}
	case http.StatusNotFound: // unknown repository: nothing refers to the digest
	default:
		copyResponse(w, rec)
		return
	}
	want := r.URL.Query().Get("artifactType")
	manifests := []v1.Descriptor{}
	for _, d := range idx.Manifests {
		if t := c.artifactType(r, repo, d.Digest); t != "" {
			d.ArtifactType = t
		}
		if want == "" || d.ArtifactType == want {
			manifests = append(manifests, d)
		}
	}
	// The wrapped registry lists from a map: give one order every time.
	slices.SortFunc(manifests, func(a, b v1.Descriptor) int { return strings.Compare(a.Digest.String(), b.Digest.String()) })
	idx.Manifests = manifests
	b, err := json.Marshal(idx)
	if err != nil {
		http.Error(w, "referrers: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if want != "" {
		w.Header().Set("OCI-Filters-Applied", "artifactType")
	}
	w.Header().Set("Content-Type", string(types.OCIImageIndex))
	_, _ = w.Write(b)
}

// artifactType is the top-level artifactType of a stored manifest, or "".
func (c referrersConformance) artifactType(r *http.Request, repo string, digest v1.Hash) string {
	req := httptest.NewRequestWithContext(r.Context(), http.MethodGet, "/v2/"+repo+"/manifests/"+digest.String(), nil)
	rec := httptest.NewRecorder()
	c.inner.ServeHTTP(rec, req)
	var m struct {
		ArtifactType string `json:"artifactType"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
		return ""
	}
	return m.ArtifactType
}

func copyResponse(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}
