package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestVerify: verify passes on what build published, and on lists made
// here by hand from the same images fails with exit 5 and one line per
// problem naming the list, the platform and the binary.
func TestVerify(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	build := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--progress", "quiet")...)
	if build.Code != 0 {
		t.Fatalf("build exited %d:\n%s", build.Code, e2etest.Tail(build.Stderr, 40))
	}
	good := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", hub, "--images", "pilot", "--insecure-registry", s.Registry)
	wantGood := "ok " + hub + "/pilot:1.22.0 (linux/amd64, linux/arm64)\nok " + hub + "/pilot:1.22.0-debug (linux/amd64, linux/arm64)"
	if good.Code != 0 || strings.TrimSpace(good.Stdout) != wantGood {
		t.Fatalf("verify of the build: exit %d\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", good.Code, good.Stdout, wantGood, good.Stderr)
	}

	entries := e2etest.ListEntries(t, hub+"/pilot:1.22.0")
	amd64, arm64 := entries["linux/amd64"], entries["linux/arm64"]
	armHoldsAmd := pushRawList(t, hub+"/pilot:arm64-holds-amd64", withPlatform(amd64, "amd64"), withPlatform(amd64, "arm64"))
	noPlatform := pushRawList(t, hub+"/pilot:entry-without-platform", withPlatform(amd64, "amd64"), withPlatform(arm64, ""))
	missing := pushRawList(t, hub+"/pilot:missing-arm64", withPlatform(amd64, "amd64"))

	bad := e2etest.RunIstioMab(t, "verify", "--insecure-registry", s.Registry, armHoldsAmd, noPlatform, missing)
	if bad.Code != 5 {
		t.Errorf("exit code %d, want 5 (verification failure); stderr:\n%s", bad.Code, bad.Stderr)
	}
	want := []string{
		armHoldsAmd + " linux/arm64: entry " + amd64.Digest.String() + ": image config is for linux/amd64, want linux/arm64",
		armHoldsAmd + " linux/arm64: /usr/local/bin/pilot-discovery: ELF binary is for linux/amd64, want linux/arm64",
		noPlatform + " linux/arm64: no entry for this platform",
		noPlatform + ": entry " + arm64.Digest.String() + " has no platform: a runtime cannot pick it",
		missing + " linux/arm64: no entry for this platform",
	}
	if got := strings.TrimSpace(bad.Stdout); got != strings.Join(want, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", got, strings.Join(want, "\n"))
	}
	if got := strings.TrimSpace(bad.Stderr); got != "istio-mab: verification failed: 3 of 3 manifest lists have problems (listed above)" {
		t.Errorf("stderr %q", got)
	}

	// build moves <version>-debug too: a wrong list under it alone fails.
	pushRawList(t, hub+"/pilot:1.22.0-debug", withPlatform(amd64, "amd64"), withPlatform(amd64, "arm64"))
	debug := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", hub, "--images", "pilot", "--insecure-registry", s.Registry)
	wantDebug := hub + "/pilot:1.22.0-debug linux/arm64: entry " + amd64.Digest.String() + ": image config is for linux/amd64, want linux/arm64"
	if debug.Code != 5 || !strings.Contains(debug.Stdout, wantDebug) || !strings.Contains(debug.Stdout, "ok "+hub+"/pilot:1.22.0 (") {
		t.Errorf("only -debug wrong: exit %d, want 5 and %q\nstdout:\n%s", debug.Code, wantDebug, debug.Stdout)
	}
}

// withPlatform is d claiming linux/arch, or no platform at all for "".
func withPlatform(d v1.Descriptor, arch string) v1.Descriptor {
	d.Platform = nil
	if arch != "" {
		d.Platform = &v1.Platform{OS: "linux", Architecture: arch}
	}
	return d
}

// rawList is a manifest list pushed byte for byte: ggcr's index builders
// would fill in a missing platform from the image config.
type rawList []byte

func (r rawList) RawManifest() ([]byte, error) { return r, nil }

// MediaType is the Content-Type of the PUT: the registry validates by it.
func (r rawList) MediaType() (types.MediaType, error) { return types.DockerManifestList, nil }

func pushRawList(t *testing.T, ref string, entries ...v1.Descriptor) string {
	t.Helper()
	raw, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: types.DockerManifestList, Manifests: entries})
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(tag, rawList(raw), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	return ref
}

// TestVerifyHoldsImagesToTheirDockerfile: proxyv2, whose Dockerfile (as
// upstream's) sets no USER, builds, verifies and is tagged; once its amd64
// image's ENTRYPOINT is changed after the build, verify fails with exit 5
// naming what the Dockerfile set, which the list records.
func TestVerifyHoldsImagesToTheirDockerfile(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	build := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "proxyv2", "--progress", "quiet")...)
	if build.Code != 0 {
		t.Fatalf("build exited %d:\n%s", build.Code, e2etest.Tail(build.Stderr, 40))
	}
	ref := hub + "/proxyv2:1.22.0"
	amd64 := e2etest.ListEntries(t, ref)["linux/amd64"]
	img := remoteImage(t, hub+"/proxyv2@"+amd64.Digest.String())
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Config.User != "" || !slices.Equal(cfg.Config.Entrypoint, []string{"/usr/local/bin/pilot-agent"}) {
		t.Fatalf("proxyv2 config USER %q ENTRYPOINT %q, want no USER and pilot-agent, as upstream's Dockerfile", cfg.Config.User, cfg.Config.Entrypoint)
	}

	cfg = cfg.DeepCopy()
	cfg.Config.Entrypoint = []string{"/bin/sh"}
	changed, err := mutate.ConfigFile(img, cfg)
	if err != nil {
		t.Fatal(err)
	}
	replaceEntry(t, ref, amd64.Digest, changed)

	bad := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", hub, "--images", "proxyv2", "--insecure-registry", s.Registry)
	want := ref + ` linux/amd64: image config has ENTRYPOINT ["/bin/sh"], its Dockerfile sets ["/usr/local/bin/pilot-agent"]` +
		"\nok " + ref + "-debug (linux/amd64, linux/arm64)" // only the plain tag was moved
	if bad.Code != 5 || strings.TrimSpace(bad.Stdout) != want {
		t.Errorf("verify after the change: exit %d, want 5\nstdout:\n%s\nwant:\n%s\nstderr:\n%s", bad.Code, bad.Stdout, want, bad.Stderr)
	}
}

func remoteImage(t *testing.T, ref string) v1.Image {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// replaceEntry pushes img by digest and moves ref's tag to a copy of its
// list, annotations kept, whose entry old now names img.
func replaceEntry(t *testing.T, ref string, old v1.Hash, img v1.Image) {
	t.Helper()
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	size, _ := img.Size()
	if err := remote.Write(tag.Context().Digest(d.String()), img, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	desc, err := remote.Get(tag, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(desc.Manifest, &im); err != nil {
		t.Fatal(err)
	}
	for i, e := range im.Manifests {
		if e.Digest == old {
			im.Manifests[i].Digest, im.Manifests[i].Size = d, size
		}
	}
	raw, err := json.Marshal(im)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(tag, typedList{raw, desc.MediaType}, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
}

// typedList is a raw manifest list of a given media type.
type typedList struct {
	raw []byte
	mt  types.MediaType
}

func (l typedList) RawManifest() ([]byte, error)        { return l.raw, nil }
func (l typedList) MediaType() (types.MediaType, error) { return l.mt, nil }
