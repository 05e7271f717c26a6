package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/sign"
)

// TestMirrorVerifyKey: mirror --verify-key checks the source's signatures
// before it copies anything and carries them along, so the copy verifies
// with the same key; a source whose arm64 image is signed by another key
// fails with exit 5 and writes nothing at the destination.
func TestMirrorVerifyKey(t *testing.T) {
	s := stack(t)
	upstream, dir := uniqueHub(s), t.TempDir()
	priv, pub := newKeyPair(t, dir, "upstream")
	build := runIstioMabEnv(t, []string{"COSIGN_PASSWORD=" + keyPassword}, append(attested(s, stackArgs(s, "1.22.0", upstream, dir)),
		"--images", "pilot", "--sign-key", priv, "--progress", "quiet")...)
	if build.code != 0 {
		t.Fatalf("build of the source exited %d:\n%s", build.code, tail(build.stderr, 30))
	}
	mirror := func(hub string) runResult {
		return runIstioMab(t, "mirror", "--version", "1.22.0", "--from", upstream, "--hub", hub, "--images", "pilot",
			"--variants", "debug", "--insecure-registry", s.Registry, "--verify-key", pub)
	}
	good := uniqueHub(s)
	if res := mirror(good); res.code != 0 {
		t.Fatalf("mirror of a signed source exited %d:\n%s%s", res.code, res.stdout, res.stderr)
	}
	v := runIstioMab(t, "verify", "--version", "1.22.0", "--hub", good, "--images", "pilot", "--insecure-registry", s.Registry, "--key", pub)
	if v.code != 0 {
		t.Errorf("verify --key of the mirror: exit %d\n%s%s", v.code, v.stdout, v.stderr)
	}
	tr := trustStack(t)
	cosign := func(args ...string) string {
		return runTool(t, nil, tr.Cosign, append(args, "--key", pub, "--insecure-ignore-tlog=true", "--allow-http-registry")...)
	}
	cosign("verify", good+"/pilot:1.22.0")
	for pl, e := range listEntries(t, good+"/pilot:1.22.0") {
		if pl == "linux/amd64" || pl == "linux/arm64" {
			ref := good + "/pilot@" + e.Digest.String()
			cosign("verify", ref)
			cosign("verify-attestation", "--type", "slsaprovenance1", ref)
			cosign("verify-attestation", "--type", "spdxjson", ref)
		}
	}

	arm64 := listEntries(t, upstream+"/pilot:1.22.0")["linux/arm64"]
	armRef, _ := name.NewDigest(upstream+"/pilot@"+arm64.Digest.String(), name.Insecure)
	otherPriv, _ := newKeyPair(t, dir, "other")
	other, err := sign.LoadKey(otherPriv, []byte(keyPassword))
	if err != nil {
		t.Fatal(err)
	}
	removeSignatures(t, armRef)
	if _, err := other.Sign(sign.Remote(remote.WithContext(t.Context())), armRef); err != nil {
		t.Fatal(err)
	}
	bad := uniqueHub(s)
	res := mirror(bad)
	if res.code != 5 || !strings.Contains(res.stderr, "linux/arm64: platform image: no signature by the key") || !strings.Contains(res.stderr, "nothing copied") {
		t.Errorf("tampered source: exit %d, want 5 naming the arm64 image\n%s", res.code, res.stderr)
	}
	badRepo := strings.TrimPrefix(bad, s.Registry+"/")
	if slices.ContainsFunc(catalog(t, s), func(r string) bool { return strings.HasPrefix(r, badRepo) }) {
		t.Errorf("tampered source: the destination %s got repositories", bad)
	}
}
