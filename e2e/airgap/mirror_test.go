package airgap

import (
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestMirror seeds a multi-arch "upstream" 1.22.0 release into the plain
// registry (the fixture's lists, each with a BuildKit-style attestation
// entry) and mirrors it into the TLS+auth registry: every list arrives
// byte for byte with its digest, attestation included; a second run copies
// nothing and writes nothing; a platform subset is a new list, with a
// warning.
func TestMirror(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir, _ := buildLayout(t, s)
	upstream := s.Registry + "/e2e-" + e2etest.RandomSuffix(t) + "/upstream"
	if res := e2etest.RunIstioMab(t, "import", "--from", dir, "--hub", upstream, "--insecure-registry", s.Registry); res.Code != 0 {
		t.Fatalf("seeding upstream: %s", res.Stderr)
	}
	want := map[string]v1.Hash{}
	for _, image := range []string{"pilot", "proxyv2"} {
		want[image] = addAttestation(t, upstream+"/"+image, "1.22.0", "1.22.0-debug")
	}

	e2etest.DockerConfig(t, s.SecureRegistry, s.SecureUser, e2etest.SecurePassword(t))
	ns := "e2e-" + e2etest.RandomSuffix(t)
	hub := s.SecureRegistry + "/" + ns + "/istio"
	mirror := func(extra ...string) e2etest.Result {
		args := append([]string{"mirror", "--version", "1.22.0", "--from", upstream, "--hub", hub,
			"--images", "pilot,proxyv2", "--variants", "debug",
			"--insecure-registry", s.Registry, "--registry-ca", s.SecureCA}, extra...)
		res := e2etest.RunIstioMab(t, args...)
		if res.Code != 0 {
			t.Fatalf("mirror exited %d:\n%s", res.Code, res.Stderr)
		}
		return res
	}
	first := mirror()
	if !strings.Contains(first.Stdout, "2 lists copied, 0 already present") {
		t.Errorf("first mirror:\n%s", first.Stdout)
	}
	a := secureAccess(t, s)
	for image, d := range want {
		for _, tag := range []string{"1.22.0", "1.22.0-debug"} {
			src, dst := rawManifest(t, upstream+"/"+image+":"+tag, nil), rawManifest(t, hub+"/"+image+":"+tag, a.Remote(t.Context()))
			if got := rawDigest(t, dst); got != d || dst != src {
				t.Errorf("%s:%s mirrored as %s, upstream %s", image, tag, got, d)
			}
		}
		checkAttestationThere(t, hub+"/"+image, d, a.Remote(t.Context()))
	}

	t.Run("second run copies nothing", func(t *testing.T) {
		before := repoFiles(t, s, ns)
		second := mirror()
		if !strings.Contains(second.Stdout, "0 lists copied, 2 already present") {
			t.Errorf("second mirror:\n%s", second.Stdout)
		}
		if after := repoFiles(t, s, ns); !slices.Equal(before, after) {
			t.Errorf("the registry's files for %s changed: %d before, %d after", ns, len(before), len(after))
		}
	})

	t.Run("into an OCI layout, digests unchanged", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "mirror")
		res := e2etest.RunIstioMab(t, "mirror", "--version", "1.22.0", "--from", upstream, "--to", "oci-layout:"+dir,
			"--images", "pilot,proxyv2", "--variants", "debug", "--insecure-registry", s.Registry)
		if res.Code != 0 {
			t.Fatalf("mirror --to exited %d:\n%s", res.Code, res.Stderr)
		}
		for image, d := range want {
			raw := skopeo(t, "inspect", "--raw", "oci:"+dir+":"+image+":1.22.0-debug")
			if got := rawDigest(t, raw); got != d {
				t.Errorf("oci:%s:%s:1.22.0-debug is %s, upstream %s", dir, image, got, d)
			}
		}
		c := e2etest.ReadContents(t, dir)
		if c.Hub != upstream || len(c.Lists) != 2 || c.Lists[0].Digest != want[c.Lists[0].Name] {
			t.Errorf("contents %+v", c)
		}
	})

	t.Run("a platform subset is a new list, with a warning", func(t *testing.T) {
		subHub := s.SecureRegistry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio"
		res := e2etest.RunIstioMab(t, "mirror", "--version", "1.22.0", "--from", upstream, "--hub", subHub,
			"--images", "pilot", "--variants", "debug", "--platforms", "linux/arm64",
			"--insecure-registry", s.Registry, "--registry-ca", s.SecureCA)
		if res.Code != 0 || !strings.Contains(res.Stderr, "digests differ from the source's") {
			t.Fatalf("exit %d, stderr:\n%s", res.Code, res.Stderr)
		}
		var m v1.IndexManifest
		raw := rawManifest(t, subHub+"/pilot:1.22.0", a.Remote(t.Context()))
		if err := jsonUnmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		// The attestation refers to the amd64 image, so it goes with it.
		if len(m.Manifests) != 1 || m.Manifests[0].Platform.Architecture != "arm64" || rawDigest(t, raw) == want["pilot"] {
			t.Errorf("subset list %s: %+v", rawDigest(t, raw), m.Manifests)
		}
	})
}

// addAttestation adds an attestation manifest for the list's first entry,
// as BuildKit pushes provenance, and points every tag at the new list.
func addAttestation(t *testing.T, repo string, tags ...string) v1.Hash {
	t.Helper()
	idx := e2etest.RemoteIndex(t, repo+":"+tags[0])
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	layer := static.NewLayer([]byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://slsa.dev/provenance/v0.2"}`), "application/vnd.in-toto+json")
	att, err := mutate.AppendLayers(mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON), layer)
	if err != nil {
		t.Fatal(err)
	}
	with := mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
		Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{
			"vnd.docker.reference.type":   "attestation-manifest",
			"vnd.docker.reference.digest": m.Manifests[0].Digest.String(),
		},
	}})
	for _, tag := range tags {
		ref, err := name.NewTag(repo+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, with, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	d, err := with.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func checkAttestationThere(t *testing.T, repo string, list v1.Hash, opts []remote.Option) {
	t.Helper()
	var m v1.IndexManifest
	if err := jsonUnmarshal(rawManifest(t, repo+"@"+list.String(), opts), &m); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range m.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			continue
		}
		found = true
		img, err := remote.Image(e2etest.MustRef(t, repo+"@"+d.Digest.String()), opts...)
		if err != nil {
			t.Fatalf("attestation %s not mirrored: %v", d.Digest, err)
		}
		if layers, err := img.Layers(); err != nil || len(layers) != 1 {
			t.Errorf("attestation %s: %d layers, %v", d.Digest, len(layers), err)
		}
	}
	if !found {
		t.Errorf("%s@%s has no attestation entry", repo, list)
	}
}

func rawManifest(t *testing.T, ref string, opts []remote.Option) string {
	t.Helper()
	if opts == nil {
		opts = []remote.Option{remote.WithContext(t.Context())}
	}
	desc, err := remote.Get(e2etest.MustRef(t, ref), opts...)
	if err != nil {
		t.Fatalf("reading %s: %v", ref, err)
	}
	return string(desc.Manifest)
}

// repoFiles lists every file the TLS registry stores under namespace ns:
// layer, manifest and tag links.
func repoFiles(t *testing.T, s e2etest.Stack, ns string) []string {
	t.Helper()
	root := filepath.Join(s.Dir, "secure-registry", "data", "docker", "registry", "v2", "repositories", ns)
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, p)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("listing %s: %d files, %v", root, len(out), err)
	}
	return out
}
