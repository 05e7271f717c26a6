package trust

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/sign"
)

// TestSignedLayoutImportedOffline: a signed, attested build written to an
// OCI layout carries its signatures and signed attestations (the contents
// file lists them); imported inside a network namespace into the TLS+auth
// registry started there, the real cosign verifies the list, each platform
// image and each platform's provenance and SBOM on that registry.
func TestSignedLayoutImportedOffline(t *testing.T) {
	s, tr := e2etest.LoadStack(t), trustStack(t)
	dir := t.TempDir()
	layoutDir := filepath.Join(dir, "layout")
	priv, pub := e2etest.NewKeyPair(t, dir, "cosign")
	args := append(e2etest.Attested(s, e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), "")), "--images", "pilot",
		"--output", "oci-layout:"+layoutDir, "--sign-key", priv, "--progress", "quiet")
	if res := e2etest.RunIstioMabEnv(t, []string{"COSIGN_PASSWORD=" + e2etest.KeyPassword}, args...); res.Code != 0 {
		t.Fatalf("build exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 40))
	}
	c := e2etest.ReadContents(t, layoutDir)
	l := c.Lists[0]
	// .sig of the list and its 4 entries, .att of the 2 platform images.
	if len(l.Signatures) != 7 {
		t.Errorf("the contents file lists %d signature tags for %s, want 7: %+v", len(l.Signatures), l.Name, l.Signatures)
	}
	// The layout holds the images' blobs; the stack's logs hold the daemons'.
	assertNoSecret(t, priv, layoutDir, s.Dir+"/buildkitd.log", s.Dir+"/registry.log")

	e2etest.DockerConfig(t, "127.0.0.1:"+fmt.Sprint(e2etest.OfflineRegistryPort), s.SecureUser, e2etest.SecurePassword(t))
	cfg := e2etest.OfflineRegistryConfig(t, s)
	hub := fmt.Sprintf("127.0.0.1:%d/airgap/istio", e2etest.OfflineRegistryPort)
	cosign := fmt.Sprintf("%s %%s --key %s --insecure-ignore-tlog=true --registry-cacert %s %%s >/dev/null && echo ok", tr.Cosign, pub, s.SecureCA)
	checks := []string{fmt.Sprintf(cosign, "verify", hub+"/pilot:"+l.Tags[0])}
	for _, p := range l.Platforms {
		ref := hub + "/pilot@" + p.Digest.String()
		checks = append(checks, fmt.Sprintf(cosign, "verify", ref),
			fmt.Sprintf(cosign, "verify-attestation --type slsaprovenance1", ref),
			fmt.Sprintf(cosign, "verify-attestation --type spdxjson", ref))
	}
	script := strings.Join(append([]string{
		"set -e",
		"ip link set lo up",
		"docker-registry serve " + cfg + " >" + cfg + ".log 2>&1 & reg=$!",
		"trap 'kill $reg; wait $reg 2>/dev/null || true' EXIT",
		fmt.Sprintf(`for i in $(seq 100); do bash -c "exec 3<>/dev/tcp/127.0.0.1/%d" 2>/dev/null && break; sleep 0.1; done`, e2etest.OfflineRegistryPort),
		fmt.Sprintf("%s import --from %s --hub %s --registry-ca %s --verify-key %s", e2etest.IstioMab(t), layoutDir, hub, s.SecureCA, pub),
	}, checks...), "\n")
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-n", "bash", "-c", script)
	cmd.Env = e2etest.IstioMabEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("import and cosign in a network namespace: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), "\nok"); n != len(checks) {
		t.Errorf("%d of %d cosign checks passed:\n%s", n, len(checks), out)
	}
	t.Run("a signature by another key is refused before any write", func(t *testing.T) {
		resignArm64(t, layoutDir, c, filepath.Join(dir, "other"))
		before := e2etest.Catalog(t, s)
		res := e2etest.RunIstioMab(t, "import", "--from", layoutDir, "--hub", e2etest.UniqueHub(s), "--insecure-registry", s.Registry, "--verify-key", pub)
		if res.Code != 5 || !strings.Contains(res.Stderr, "linux/arm64: platform image: no signature by the key") {
			t.Errorf("import --verify-key of a re-signed layout: exit %d, want 5 naming the arm64 image\n%s", res.Code, res.Stderr)
		}
		if after := e2etest.Catalog(t, s); !slices.Equal(before, after) {
			t.Errorf("the refused import wrote to the registry: repositories %v, then %v", before, after)
		}
	})
}

// resignArm64 replaces the layout's signature of the arm64 image by one of
// another key and rewrites the contents file to match, as someone who
// rewrote the layout whole would.
func resignArm64(t *testing.T, dir string, c carry.Contents, keyDir string) {
	t.Helper()
	if err := os.MkdirAll(keyDir, 0o700); err != nil {
		t.Fatal(err)
	}
	otherPriv, _ := e2etest.NewKeyPair(t, keyDir, "other")
	other, err := sign.LoadKey(otherPriv, []byte(e2etest.KeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	repo, err := name.NewRepository(c.Hub + "/" + c.Lists[0].Name)
	if err != nil {
		t.Fatal(err)
	}
	st := publish.LayoutSignatures(layout.Path(dir), c.Hub)
	for _, p := range c.Lists[0].Platforms {
		if p.Platform != "linux/arm64" {
			continue
		}
		d := repo.Digest(p.Digest.String())
		empty := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
		if err := st.WriteTagged(sign.SigTag(d), empty); err != nil {
			t.Fatal(err)
		}
		if _, err := other.Sign(st, d); err != nil {
			t.Fatal(err)
		}
	}
	if err := carry.WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
}

// assertNoSecret fails if any file under paths holds the password or a
// line of the private key file; gzip blobs (image layers) are searched
// uncompressed.
func assertNoSecret(t *testing.T, keyFile string, paths ...string) {
	t.Helper()
	key, _ := os.ReadFile(keyFile)
	needles := []string{e2etest.KeyPassword}
	for _, line := range strings.Split(string(key), "\n") {
		if len(line) > 20 && !strings.HasPrefix(line, "-----") {
			needles = append(needles, line)
		}
	}
	searched := 0
	for _, root := range paths {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := readMaybeGzip(path)
			searched++
			for _, n := range needles {
				if strings.Contains(string(b), n) {
					t.Errorf("%s holds the key's password or material", path)
				}
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if searched == 0 {
		t.Fatal("no file was searched for the key")
	}
}

func readMaybeGzip(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
		return b, err
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return b, nil
	}
	return io.ReadAll(zr)
}
