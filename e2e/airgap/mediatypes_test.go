package airgap

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildDockerMediaTypes: --media-types docker publishes a Docker
// manifest list of Docker manifests, checked and tagged like an OCI one;
// skopeo refuses to carry it into an OCI layout with its digest, which is
// why oci is the default.
func TestBuildDockerMediaTypes(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--media-types", "docker", "--progress", "quiet"))
	m, err := e2etest.RemoteIndex(t, hub+"/pilot:1.22.0").IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if m.MediaType != types.DockerManifestList || len(m.Manifests) != 2 {
		t.Fatalf("list %s with %d entries, want a Docker manifest list of 2", m.MediaType, len(m.Manifests))
	}
	for _, d := range m.Manifests {
		if d.MediaType != types.DockerManifestSchema2 {
			t.Errorf("entry %s is %s, want a Docker manifest", d.Digest, d.MediaType)
		}
	}
	dst := "oci:" + filepath.Join(t.TempDir(), "carry") + ":pilot"
	out, err := exec.CommandContext(t.Context(), "skopeo", "copy", "--all", "--preserve-digests", "--src-tls-verify=false",
		"docker://"+hub+"/pilot:1.22.0", dst).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "application/vnd.oci.image.index.v1+json") {
		t.Errorf("skopeo copy of a Docker list into an OCI layout with --preserve-digests: %v\n%s", err, out)
	}
}
