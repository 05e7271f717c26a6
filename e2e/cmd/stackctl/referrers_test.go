package main

import (
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

const bundleType = "application/vnd.dev.sigstore.bundle.v0.3+json"

func referrersServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(referrersConformance{inner: registry.New(
		registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))})
	t.Cleanup(srv.Close)
	return srv.URL
}

func getReferrers(t *testing.T, url string) (*http.Response, v1.IndexManifest) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var idx v1.IndexManifest
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&idx); err != nil {
			t.Fatal(err)
		}
	}
	return resp, idx
}

// What cosign's Sigstore bundle referrer looks like: the artifact type on the
// manifest, an empty config.
func bundleManifest(subject v1.Descriptor) string {
	s, _ := json.Marshal(subject)
	return `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","artifactType":"` + bundleType + `",` +
		`"config":{"mediaType":"application/vnd.oci.empty.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},` +
		`"layers":[],"subject":` + string(s) + `}`
}

func TestReferrersAnswerAsTheSpecSays(t *testing.T) {
	base := referrersServer(t)
	host := strings.TrimPrefix(base, "http://")
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tag, _ := name.NewTag(host+"/r/app:t", name.Insecure)
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	mt, _ := img.MediaType()
	m, _ := img.RawManifest()

	resp, idx := getReferrers(t, base+"/v2/r/other/referrers/"+d.String())
	if resp.StatusCode != http.StatusOK || idx.Manifests == nil || len(idx.Manifests) != 0 {
		t.Errorf("referrers in an unknown repository: HTTP %d, %+v; want 200 and an empty list", resp.StatusCode, idx)
	}

	req, _ := http.NewRequest(http.MethodPut, base+"/v2/r/app/manifests/sig",
		strings.NewReader(bundleManifest(v1.Descriptor{MediaType: mt, Digest: d, Size: int64(len(m))})))
	req.Header.Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
	put, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	put.Body.Close()
	if put.StatusCode != http.StatusCreated || put.Header.Get("OCI-Subject") != d.String() {
		t.Errorf("push with a subject: HTTP %d, OCI-Subject %q; want 201 and %s", put.StatusCode, put.Header.Get("OCI-Subject"), d)
	}

	_, idx = getReferrers(t, base+"/v2/r/app/referrers/"+d.String())
	if len(idx.Manifests) != 1 || idx.Manifests[0].ArtifactType != bundleType {
		t.Errorf("referrers = %+v, want one with artifactType %s", idx.Manifests, bundleType)
	}
	resp, idx = getReferrers(t, base+"/v2/r/app/referrers/"+d.String()+"?artifactType="+url.QueryEscape(bundleType))
	if len(idx.Manifests) != 1 || resp.Header.Get("OCI-Filters-Applied") != "artifactType" {
		t.Errorf("filtered by its type: %+v, OCI-Filters-Applied %q; want it, and the header", idx.Manifests, resp.Header.Get("OCI-Filters-Applied"))
	}
	_, idx = getReferrers(t, base+"/v2/r/app/referrers/"+d.String()+"?artifactType=application/example")
	if len(idx.Manifests) != 0 {
		t.Errorf("filtered by another type: %+v, want none", idx.Manifests)
	}
	if resp, _ := getReferrers(t, base+"/v2/r/app/referrers/not-a-digest"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("malformed digest: HTTP %d, want 400", resp.StatusCode)
	}
}
