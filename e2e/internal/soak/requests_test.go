package soak

import (
	"os"
	"path/filepath"
	"testing"
)

func TestRequests(t *testing.T) {
	log := `time="2026-12-05T03:15:55Z" level=info msg="response completed" http.request.method=PUT http.request.uri="/v2/x/base/blobs/uploads/18c9?_state=lm&digest=sha256%3A45" http.response.status=201
127.0.0.1 - - [05/Dec/2026:03:15:55 +0000] "PUT /v2/x/base/blobs/uploads/18c9?_state=lm00%3D&digest=sha256%3A4541 HTTP/1.1" 201 0 "" "ggcr"
127.0.0.1 - - [05/Dec/2026:03:15:55 +0000] "HEAD /v2/x/base/blobs/sha256:4541 HTTP/1.1" 200 0 "" "ggcr"
127.0.0.1 - - [05/Dec/2026:03:15:55 +0000] "PUT /v2/a/b/pilot/manifests/sha256:99 HTTP/1.1" 201 0 "" "ggcr"
127.0.0.1 - - [05/Dec/2026:03:15:55 +0000] "PUT /v2/x/base/blobs/uploads/77?digest=sha256%3A88 HTTP/1.1" 400 0 "" "ggcr"
127.0.0.1 - - [05/Dec/2026:03:15:55 +0000] "POST /v2/x/other/blobs/uploads/?from=x%2Fbase&mount=sha256%3A4541 HTTP/1.1" 201 0 "" "ggcr"
`
	file := filepath.Join(t.TempDir(), "registry.log")
	if err := os.WriteFile(file, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Requests(file)
	if err != nil || len(got) != 5 {
		t.Fatalf("Requests: %d, %v; want the 5 access log lines", len(got), err)
	}
	if d, r := got[4].BlobMount(), got[4].Repository(); d != "sha256:4541" || r != "x/other" || got[0].BlobMount() != "" {
		t.Errorf("mount %q into %q", d, r)
	}
	if d, r := got[0].BlobUpload(), got[0].Repository(); d != "sha256:4541" || r != "x/base" {
		t.Errorf("upload %q in %q", d, r)
	}
	if got[1].BlobUpload() != "" || got[3].BlobUpload() != "" {
		t.Errorf("a HEAD or a refused PUT counted as an upload")
	}
	if ref, r := got[2].ManifestPut(), got[2].Repository(); ref != "sha256:99" || r != "a/b/pilot" {
		t.Errorf("manifest %q in %q", ref, r)
	}
}
