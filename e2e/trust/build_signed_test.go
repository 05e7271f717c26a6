package trust

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/sign"
)

// TestBuildSigned: with --sign-key every list, platform image and
// attestation is signed before the tags move, on the registry without the
// referrers API (cosign's tags) and on the one with it (Sigstore bundle
// referrers). The real cosign verifies the lists and every platform image,
// and verify-attestation finds each platform's SLSA provenance (naming the
// source commit and the Go image) and SPDX SBOM (naming pilot-discovery's
// Go version and module); the metadata file lists every signature; verify
// --key passes, and fails with exit 5 once a platform image's signature is
// removed or made by another key; neither the password nor the key appears
// in the output or the metadata file.
func TestBuildSigned(t *testing.T) {
	s, tr := e2etest.LoadStack(t), trustStack(t)
	for _, c := range []struct{ name, registry, storage string }{
		{"tag scheme", s.Registry, "tag"},
		{"referrers", tr.ReferrersRegistry, "referrer"},
	} {
		t.Run(c.name, func(t *testing.T) {
			hub := strings.Replace(e2etest.UniqueHub(s), s.Registry, c.registry, 1)
			b := signedBuild(t, s, hub, c.registry)
			for _, sig := range b.meta.Images[0].Signatures {
				if sig.Storage != c.storage {
					t.Errorf("signature of %s stored as %q, want %q", sig.Subject, sig.Storage, c.storage)
				}
			}
			cosignVerifies(t, tr, b)
			verifyKeyFailures(t, b)
		})
	}
}

// signed is a signed build: its hub, key pair and metadata.
type signed struct {
	hub, registry, priv, pub, dir string
	meta                          e2etest.BuildMetadata
}

func signedBuild(t *testing.T, s e2etest.Stack, hub, registry string) signed {
	t.Helper()
	dir := t.TempDir()
	priv, pub := e2etest.NewKeyPair(t, dir, "cosign")
	meta := filepath.Join(dir, "metadata.json")
	args := append(e2etest.Attested(s, e2etest.StackArgs(s, "1.22.0", hub, filepath.Join(dir, "dist"))), "--images", "pilot",
		"--sign-key", priv, "--metadata-file", meta, "--insecure-registry", registry)
	res := e2etest.RunIstioMabEnv(t, []string{"COSIGN_PASSWORD=" + e2etest.KeyPassword}, args...)
	if res.Code != 0 {
		t.Fatalf("build exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 40))
	}
	keyBytes, _ := os.ReadFile(priv)
	metaBytes, _ := os.ReadFile(meta)
	for _, out := range []string{res.Stdout, res.Stderr, string(metaBytes)} {
		if strings.Contains(out, e2etest.KeyPassword) || strings.Contains(out, strings.Split(string(keyBytes), "\n")[1]) {
			t.Fatal("the key's password or material appears in the output or the metadata file")
		}
	}
	b := signed{hub: hub, registry: registry, priv: priv, pub: pub, dir: dir}
	if err := json.Unmarshal(metaBytes, &b.meta); err != nil || len(b.meta.Images) != 1 {
		t.Fatalf("metadata %s: %v", meta, err)
	}
	im := b.meta.Images[0]
	// A signature of the list and of its 4 entries, and 2 attestations per platform.
	if want := 1 + 2*len(im.Platforms) + 2*len(im.Platforms); len(im.Signatures) != want {
		t.Errorf("metadata lists %d signatures, want %d: %+v", len(im.Signatures), want, im.Signatures)
	}
	if len(im.Attestations) != len(im.Platforms) {
		t.Errorf("metadata lists %d attestation manifests, want %d", len(im.Attestations), len(im.Platforms))
	}
	return b
}

// cosignVerifies runs the real cosign on the list and every platform image.
func cosignVerifies(t *testing.T, tr TrustStack, b signed) {
	t.Helper()
	cosign := func(args ...string) string {
		return runTool(t, nil, tr.Cosign, append(args, "--key", b.pub, "--insecure-ignore-tlog=true", "--allow-http-registry")...)
	}
	im := b.meta.Images[0]
	cosign("verify", b.hub+"/pilot:1.22.0")
	goVersion := strings.TrimPrefix(b.meta.Binaries[0].GoVersion, "go")
	goDigest := b.meta.Binaries[0].GoImage[strings.Index(b.meta.Binaries[0].GoImage, "@sha256:")+1:]
	for _, p := range im.Platforms {
		ref := b.hub + "/pilot@" + p.Manifest
		cosign("verify", ref)
		prov := statementsIn(t, cosign("verify-attestation", "--type", "slsaprovenance1", ref))
		for what, want := range map[string]string{"source commit": b.meta.Istio.Commit, "Go image digest": goDigest} {
			if !strings.Contains(prov, want) {
				t.Errorf("%s: the signed provenance does not name the %s %s", p.Platform, what, want)
			}
		}
		sbom := statementsIn(t, cosign("verify-attestation", "--type", "spdxjson", ref))
		for what, want := range map[string]string{"Go version": goVersion, "module": "istio.io/istio"} {
			if !strings.Contains(sbom, want) {
				t.Errorf("%s: the signed SBOM does not name pilot-discovery's %s %s", p.Platform, what, want)
			}
		}
	}
}

// statementsIn decodes the DSSE envelopes cosign verify-attestation prints.
func statementsIn(t *testing.T, out string) string {
	t.Helper()
	var all strings.Builder
	for _, line := range strings.Split(out, "\n") {
		var env struct{ Payload string }
		if json.Unmarshal([]byte(line), &env) != nil || env.Payload == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(env.Payload)
		if err != nil {
			t.Fatalf("cosign printed an envelope whose payload is not base64: %v", err)
		}
		all.Write(b)
	}
	if all.Len() == 0 {
		t.Fatalf("cosign verify-attestation printed no statement:\n%s", out)
	}
	return all.String()
}

// verifyKeyFailures: istio-mab verify --key passes, then exits 5 naming the
// arm64 image once its signatures are removed or replaced by another key's.
func verifyKeyFailures(t *testing.T, b signed) {
	t.Helper()
	verify := func() e2etest.Result {
		return e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", b.hub, "--images", "pilot", "--insecure-registry", b.registry, "--key", b.pub)
	}
	if v := verify(); v.Code != 0 {
		t.Fatalf("verify --key of the signed build: exit %d\n%s%s", v.Code, v.Stdout, v.Stderr)
	}
	ref := b.hub + "/pilot:1.22.0"
	arm64 := e2etest.ListEntries(t, ref)["linux/arm64"]
	armRef, _ := name.NewDigest(b.hub+"/pilot@"+arm64.Digest.String(), name.Insecure)
	otherPriv, _ := e2etest.NewKeyPair(t, b.dir, "other")
	other, err := sign.LoadKey(otherPriv, []byte(e2etest.KeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		replace func()
	}{
		{"signature removed", func() { removeSignatures(t, armRef) }},
		{"signed by another key", func() {
			if _, err := other.Sign(sign.Remote(remote.WithContext(t.Context())), armRef); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.replace()
			v := verify()
			if v.Code != 5 || !strings.Contains(v.Stdout, ref+" linux/arm64: platform image: no signature by the key") {
				t.Errorf("exit %d, want 5 naming the arm64 platform image\n%s%s", v.Code, v.Stdout, v.Stderr)
			}
		})
	}
}

// removeSignatures leaves d with no signature: its .sig tag holds none, and
// its Sigstore bundle referrers are deleted.
func removeSignatures(t *testing.T, d name.Digest) {
	t.Helper()
	opt := remote.WithContext(t.Context())
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if err := remote.Write(sign.SigTag(d), img, opt); err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Referrers(d, opt)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	for _, m := range im.Manifests {
		if m.Annotations["dev.sigstore.bundle.predicateType"] == "https://sigstore.dev/cosign/sign/v1" {
			if err := remote.Delete(d.Context().Digest(m.Digest.String()), opt); err != nil {
				t.Fatalf("deleting the signature %s of %s: %v", m.Digest, d, err)
			}
		}
	}
}

// TestBuildWrongKeyPassword: a --sign-key whose COSIGN_PASSWORD is wrong
// stops the build with exit 2 naming the variable, not the password,
// before anything is built or pushed.
func TestBuildWrongKeyPassword(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir := t.TempDir()
	priv, _ := e2etest.NewKeyPair(t, dir, "cosign")
	hub := e2etest.UniqueHub(s)
	before := e2etest.Catalog(t, s)
	res := e2etest.RunIstioMabEnv(t, []string{"COSIGN_PASSWORD=not-" + e2etest.KeyPassword},
		append(e2etest.StackArgs(s, "1.22.0", hub, filepath.Join(dir, "dist")), "--sign-key", priv)...)
	if res.Code != 2 || !strings.Contains(res.Stderr, "COSIGN_PASSWORD") || strings.Contains(res.Stderr, e2etest.KeyPassword) {
		t.Errorf("exit %d, want 2 naming COSIGN_PASSWORD and not the password:\n%s", res.Code, e2etest.Tail(res.Stderr, 5))
	}
	if strings.Contains(res.Stderr, "compile ") {
		t.Error("something was compiled before the key was unlocked")
	}
	if after := e2etest.Catalog(t, s); !slices.Equal(before, after) {
		t.Errorf("repositories changed from %v to %v", before, after)
	}
}
