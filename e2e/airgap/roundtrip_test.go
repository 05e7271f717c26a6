package airgap

import (
	"slices"

	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// TestAirgapRoundTrip: the fixture built into an OCI layout (nothing
// pushed) and imported into the TLS+auth registry arrives with every list
// and platform digest the layout's contents file records, checked by the
// import (config platform and binaries of each platform image) before any
// tag moved; then skopeo carries a list out of that registry into an OCI
// layout and back with its digest unchanged.
func TestAirgapRoundTrip(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir, c := buildLayout(t, s)
	if len(c.Lists) != 2 {
		t.Fatalf("%d lists in the layout, want pilot and proxyv2", len(c.Lists))
	}
	for _, l := range c.Lists {
		if l.MediaType != types.OCIImageIndex || len(l.Platforms) != 2 {
			t.Errorf("%s: %s with %d platforms, want an OCI index of 2", l.Name, l.MediaType, len(l.Platforms))
		}
	}
	e2etest.CheckArchives(t, filepath.Join(dir, "files"), "1.22.0", true)
	if len(c.Files) != 25 || !slices.ContainsFunc(c.Files, func(f carry.File) bool { return f.Path == "istio-mab.lock" }) {
		t.Errorf("contents list %d files, want 8 archives, their .sha256, istio-mab.lock, 5 charts, images.txt and 2 install overrides: %+v", len(c.Files), c.Files)
	}
	if l, err := lock.Read(filepath.Join(dir, "istio-mab.lock")); err != nil || len(l.Commit) != 40 || len(l.Envoys) != 2 {
		t.Errorf("the layout's lock: %+v, %v", l, err)
	}

	e2etest.DockerConfig(t, s.SecureRegistry, s.SecureUser, e2etest.SecurePassword(t))
	hub := s.SecureRegistry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio"
	res := e2etest.RunIstioMab(t, "import", "--from", dir, "--hub", hub, "--registry-ca", s.SecureCA)
	if res.Code != 0 {
		t.Fatalf("import exited %d:\n%s", res.Code, res.Stderr)
	}
	for _, l := range c.Lists {
		if !strings.Contains(res.Stdout, l.Digest.String()) {
			t.Errorf("import summary does not name %s %s:\n%s", l.Name, l.Digest, res.Stdout)
		}
	}
	checkListsMatch(t, secureAccess(t, s), hub, c)
	if v := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", hub, "--registry-ca", s.SecureCA); v.Code != 0 {
		t.Errorf("verify of the imported release exited %d:\n%s%s", v.Code, v.Stdout, v.Stderr)
	}

	var split string
	splitDir := t.TempDir()
	t.Run("export --split imports as the whole tarball", func(t *testing.T) { split = splitExport(t, s, hub, c, splitDir) })
	t.Run("an import killed midway resumes", func(t *testing.T) {
		if split == "" {
			t.Skip("no split bundle")
		}
		resumeImport(t, split, c)
	})

	t.Run("skopeo keeps the digest through an OCI layout", func(t *testing.T) {
		certs, auth := skopeoCerts(t, s), filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")
		src := "docker://" + hub + "/pilot:1.22.0"
		oci := "oci:" + filepath.Join(t.TempDir(), "carry") + ":pilot"
		back := "docker://" + hub + "/pilot:skopeo-back"
		skopeo(t, "copy", "--all", "--preserve-digests", "--authfile", auth, "--src-cert-dir", certs, src, oci)
		skopeo(t, "copy", "--all", "--preserve-digests", "--authfile", auth, "--dest-cert-dir", certs, oci, back)
		want := listNamed(t, c, "pilot").Digest
		for ref, raw := range map[string]string{
			oci:  skopeo(t, "inspect", "--raw", oci),
			back: skopeo(t, "inspect", "--raw", "--authfile", auth, "--cert-dir", certs, back),
		} {
			if got := rawDigest(t, raw); got != want {
				t.Errorf("%s: list digest %s, built %s", ref, got, want)
			}
		}
	})
}
