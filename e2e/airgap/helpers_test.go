package airgap

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// buildLayout builds the 1.22.0 fixture into an OCI layout with nothing
// pushed, and returns the layout's directory and contents file.
func buildLayout(t *testing.T, s e2etest.Stack, extra ...string) (string, carry.Contents) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "layout")
	before := e2etest.Catalog(t, s)
	args := append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), ""), "--output", "oci-layout:"+dir, "--progress", "quiet")
	e2etest.MustBuild(t, append(args, extra...))
	if after := e2etest.Catalog(t, s); !slices.Equal(before, after) {
		t.Fatalf("registry repositories changed from %v to %v with --output", before, after)
	}
	return dir, e2etest.ReadContents(t, dir)
}

// secureAccess reaches the TLS+auth registry with the stack's credentials,
// which e2etest.DockerConfig has put in $DOCKER_CONFIG.
func secureAccess(t *testing.T, s e2etest.Stack) *registry.Access {
	t.Helper()
	return e2etest.NewAccess(t, registry.WithRootCAs(s.SecureCA))
}

// checkListsMatch reads every list of c under hub by each of its tags and
// compares the list digest and every platform digest with c.
func checkListsMatch(t *testing.T, a *registry.Access, hub string, c carry.Contents) {
	t.Helper()
	for _, l := range c.Lists {
		repo, err := a.Repository(hub + "/" + l.Name)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range l.Tags {
			idx, err := remote.Index(repo.Tag(tag), a.Remote(t.Context())...)
			if err != nil {
				t.Fatalf("reading %s:%s: %v", repo, tag, err)
			}
			d, _ := idx.Digest()
			m, _ := idx.IndexManifest()
			if d != l.Digest || m.MediaType != l.MediaType {
				t.Errorf("%s:%s is %s (%s), the layout's list is %s (%s)", repo, tag, d, m.MediaType, l.Digest, l.MediaType)
			}
			if got := platformDigests(m); !slices.Equal(got, l.Platforms) {
				t.Errorf("%s:%s holds %v, the layout records %v", repo, tag, got, l.Platforms)
			}
		}
	}
}

func platformDigests(m *v1.IndexManifest) []carry.PlatformEntry {
	var out []carry.PlatformEntry
	for _, d := range m.Manifests {
		out = append(out, carry.PlatformEntry{Platform: d.Platform.String(), Digest: d.Digest})
	}
	return out
}

// skopeo runs the skopeo command and returns its standard output.
func skopeo(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.CommandContext(t.Context(), "skopeo", args...).Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("skopeo %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return string(out)
}

// skopeoCerts is a --cert-dir for skopeo holding the stack's CA.
func skopeoCerts(t *testing.T, s e2etest.Stack) string {
	t.Helper()
	dir := t.TempDir()
	ca, err := os.ReadFile(s.SecureCA)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "ca.crt"), ca, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// rawDigest is the sha256 of a manifest as skopeo inspect --raw prints it.
func rawDigest(t *testing.T, raw string) v1.Hash {
	t.Helper()
	h, _, err := v1.SHA256(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func listNamed(t *testing.T, c carry.Contents, name string) carry.List {
	t.Helper()
	for _, l := range c.Lists {
		if l.Name == name {
			return l
		}
	}
	t.Fatalf("the layout has no list %s", name)
	return carry.List{}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
