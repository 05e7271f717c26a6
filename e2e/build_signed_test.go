package e2e

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/sign"
)

const keyPassword = "pass-9f3a-never-printed"

// TestBuildSigned: with --sign-key every list, platform image and
// attestation is signed before the tags move; verify --key passes, and
// fails with exit 5 once a platform image's signature is removed or made
// by another key; cosign verifies them when the stack has cosign; neither
// the password nor the key appears in the output or the metadata file.
func TestBuildSigned(t *testing.T) {
	s := stack(t)
	hub, dir := uniqueHub(s), t.TempDir()
	priv, pub := newKeyPair(t, dir, "cosign")
	meta := filepath.Join(dir, "metadata.json")
	args := append(attested(s, stackArgs(s, "1.22.0", hub, filepath.Join(dir, "dist"))), "--images", "pilot", "--sign-key", priv, "--metadata-file", meta)
	res := runIstioMabEnv(t, []string{"COSIGN_PASSWORD=" + keyPassword}, args...)
	if res.code != 0 {
		t.Fatalf("build exited %d:\n%s", res.code, tail(res.stderr, 40))
	}
	keyBytes, _ := os.ReadFile(priv)
	metaBytes, _ := os.ReadFile(meta)
	for _, out := range []string{res.stdout, res.stderr, string(metaBytes)} {
		if strings.Contains(out, keyPassword) || strings.Contains(out, strings.Split(string(keyBytes), "\n")[1]) {
			t.Fatal("the key's password or material appears in the output or the metadata file")
		}
	}
	verify := func() runResult {
		return runIstioMab(t, "verify", "--version", "1.22.0", "--hub", hub, "--images", "pilot", "--insecure-registry", s.Registry, "--key", pub)
	}
	if v := verify(); v.code != 0 {
		t.Fatalf("verify --key of the signed build: exit %d\n%s%s", v.code, v.stdout, v.stderr)
	}
	ref := hub + "/pilot:1.22.0"
	arm64 := listEntries(t, ref)["linux/arm64"]
	if cosign := os.Getenv("COSIGN"); cosign != "" {
		for _, r := range []string{ref, hub + "/pilot@" + arm64.Digest.String()} {
			out, err := exec.Command(cosign, "verify", "--key", pub, "--insecure-ignore-tlog=true", "--allow-http-registry", r).CombinedOutput()
			if err != nil {
				t.Errorf("cosign verify %s: %v\n%s", r, err, out)
			}
		}
	}

	armRef, _ := name.NewDigest(hub+"/pilot@"+arm64.Digest.String(), name.Insecure)
	otherPriv, _ := newKeyPair(t, dir, "other")
	other, err := sign.LoadKey(otherPriv, []byte(keyPassword))
	if err != nil {
		t.Fatal(err)
	}
	for name, replace := range map[string]func(){
		"signature removed": func() { writeEmptySignatures(t, armRef) },
		"signed by another key": func() {
			writeEmptySignatures(t, armRef)
			if err := other.Sign(armRef); err != nil {
				t.Fatal(err)
			}
		},
	} {
		t.Run(name, func(t *testing.T) {
			replace()
			v := verify()
			if v.code != 5 || !strings.Contains(v.stdout, ref+" linux/arm64: platform image: no signature by the key") {
				t.Errorf("exit %d, want 5 naming the arm64 platform image\n%s%s", v.code, v.stdout, v.stderr)
			}
		})
	}
}

func newKeyPair(t *testing.T, dir, name string) (priv, pub string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, pub = filepath.Join(dir, name+".key"), filepath.Join(dir, name+".pub")
	if err := sign.WriteKeyPair(priv, pub, k, []byte(keyPassword)); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// writeEmptySignatures replaces d's signature image by one with none.
func writeEmptySignatures(t *testing.T, d name.Digest) {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	if err := remote.Write(sign.SigTag(d), img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
}
