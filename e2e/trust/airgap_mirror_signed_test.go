package trust

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/sign"
)

// TestMirrorVerifyKey: mirror --verify-key checks the source's signatures
// before it copies anything and carries them along, so the copy verifies
// with the same key; a source whose arm64 image is signed by another key
// fails with exit 5 and writes nothing at the destination.
func TestMirrorVerifyKey(t *testing.T) {
	s := e2etest.LoadStack(t)
	upstream, dir := e2etest.UniqueHub(s), t.TempDir()
	priv, pub := e2etest.NewKeyPair(t, dir, "upstream")
	build := e2etest.RunIstioMabEnv(t, []string{"COSIGN_PASSWORD=" + e2etest.KeyPassword}, append(e2etest.Attested(s, e2etest.StackArgs(s, "1.22.0", upstream, dir)),
		"--images", "pilot", "--sign-key", priv, "--progress", "quiet")...)
	if build.Code != 0 {
		t.Fatalf("build of the source exited %d:\n%s", build.Code, e2etest.Tail(build.Stderr, 30))
	}
	mirror := func(hub string) e2etest.Result {
		return e2etest.RunIstioMab(t, "mirror", "--version", "1.22.0", "--from", upstream, "--hub", hub, "--images", "pilot",
			"--variants", "debug", "--insecure-registry", s.Registry, "--verify-key", pub)
	}
	good := e2etest.UniqueHub(s)
	if res := mirror(good); res.Code != 0 {
		t.Fatalf("mirror of a signed source exited %d:\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	v := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", good, "--images", "pilot", "--insecure-registry", s.Registry, "--key", pub)
	if v.Code != 0 {
		t.Errorf("verify --key of the mirror: exit %d\n%s%s", v.Code, v.Stdout, v.Stderr)
	}
	tr := trustStack(t)
	cosign := func(args ...string) string {
		return runTool(t, nil, tr.Cosign, append(args, "--key", pub, "--insecure-ignore-tlog=true", "--allow-http-registry")...)
	}
	cosign("verify", good+"/pilot:1.22.0")
	for pl, e := range e2etest.ListEntries(t, good+"/pilot:1.22.0") {
		if pl == "linux/amd64" || pl == "linux/arm64" {
			ref := good + "/pilot@" + e.Digest.String()
			cosign("verify", ref)
			cosign("verify-attestation", "--type", "slsaprovenance1", ref)
			cosign("verify-attestation", "--type", "spdxjson", ref)
		}
	}

	arm64 := e2etest.ListEntries(t, upstream+"/pilot:1.22.0")["linux/arm64"]
	armRef, _ := name.NewDigest(upstream+"/pilot@"+arm64.Digest.String(), name.Insecure)
	otherPriv, _ := e2etest.NewKeyPair(t, dir, "other")
	other, err := sign.LoadKey(otherPriv, []byte(e2etest.KeyPassword))
	if err != nil {
		t.Fatal(err)
	}
	removeSignatures(t, armRef)
	if _, err := other.Sign(sign.Remote(remote.WithContext(t.Context())), armRef); err != nil {
		t.Fatal(err)
	}
	bad := e2etest.UniqueHub(s)
	res := mirror(bad)
	if res.Code != 5 || !strings.Contains(res.Stderr, "linux/arm64: platform image: no signature by the key") || !strings.Contains(res.Stderr, "nothing copied") {
		t.Errorf("tampered source: exit %d, want 5 naming the arm64 image\n%s", res.Code, res.Stderr)
	}
	badRepo := strings.TrimPrefix(bad, s.Registry+"/")
	if slices.ContainsFunc(e2etest.Catalog(t, s), func(r string) bool { return strings.HasPrefix(r, badRepo) }) {
		t.Errorf("tampered source: the destination %s got repositories", bad)
	}
}
