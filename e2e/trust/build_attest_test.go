package trust

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildAttested: with attestations on, every platform image of a list
// has its attestation manifest beside it in the list, naming it; the SLSA
// provenance names the source commit and the Go image the binaries were
// compiled in, checked before the tags moved.
func TestBuildAttested(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub, dir := e2etest.UniqueHub(s), t.TempDir()
	meta := filepath.Join(dir, "metadata.json")
	res := e2etest.RunIstioMab(t, append(e2etest.Attested(s, e2etest.StackArgs(s, "1.22.0", hub, dir)), "--images", "pilot", "--metadata-file", meta, "--progress", "quiet")...)
	if res.Code != 0 {
		t.Fatalf("build exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 40))
	}
	var m e2etest.BuildMetadata
	if b, err := os.ReadFile(meta); err != nil || json.Unmarshal(b, &m) != nil {
		t.Fatalf("reading %s: %v", meta, err)
	}
	goDigest := m.Binaries[0].GoImage[strings.Index(m.Binaries[0].GoImage, "@sha256:")+len("@sha256:"):]

	idx := e2etest.RemoteIndex(t, hub+"/pilot:1.22.0")
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	images, atts := map[string]string{}, 0
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			images[d.Digest.String()] = d.Platform.String()
		}
	}
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			continue
		}
		atts++
		subject := d.Annotations["vnd.docker.reference.digest"]
		if images[subject] == "" {
			t.Errorf("attestation %s names %s, no image of the list", d.Digest, subject)
		}
		prov := predicate(t, idx, d.Digest, "https://slsa.dev/provenance/v1")
		for what, want := range map[string]string{"source commit": m.Istio.Commit, "Go image digest": goDigest} {
			if !strings.Contains(prov, want) {
				t.Errorf("%s provenance does not name the %s %s", images[subject], what, want)
			}
		}
		if os.Getenv("SBOM_GENERATOR") == "" {
			continue // the stack has no scanner image: SBOMs are off
		}
		sbom := predicate(t, idx, d.Digest, "https://spdx.dev/Document")
		goVersion := strings.TrimPrefix(m.Binaries[0].GoVersion, "go")
		for what, want := range map[string]string{"Go version": goVersion, "main module": "istio.io/istio"} {
			if !strings.Contains(sbom, want) {
				t.Errorf("%s SBOM does not name pilot-discovery's %s %s", images[subject], what, want)
			}
		}
	}
	if len(images) != 2 || atts != 2 {
		t.Errorf("list has %d images and %d attestations, want 2 and 2:\n%+v", len(images), atts, im.Manifests)
	}
}

// predicate is the raw in-toto statement of type predicateType in the
// attestation manifest att of idx.
func predicate(t *testing.T, idx v1.ImageIndex, att v1.Hash, predicateType string) string {
	t.Helper()
	img, err := idx.Image(att)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(string(b), `"predicateType":"`+predicateType+`"`) {
			return string(b)
		}
	}
	t.Fatalf("attestation %s has no %s statement", att, predicateType)
	return ""
}

// An SBOM generator the node cannot pull fails before anything is built,
// naming the fix.
func TestBuildUnreachableSBOMGenerator(t *testing.T) {
	s := e2etest.LoadStack(t)
	args := append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), "--sbom=true", "--sbom-generator", s.Registry+"/library/no-such-scanner:1")
	e2etest.Refuses(t, s, args, "--sbom-generator")
}
