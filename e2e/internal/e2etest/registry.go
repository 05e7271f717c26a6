package e2etest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// MustRef parses s as a reference on a plain-HTTP registry.
func MustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// Catalog lists the plain registry's repositories: a manifest or blob PUT
// adds one. It pages as the registry requires and fails on any error, so a
// broken listing cannot make "nothing changed" pass vacuously.
func Catalog(t *testing.T, s Stack) []string {
	t.Helper()
	reg, err := name.NewRegistry(s.Registry, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(t.Context(), reg)
	if err != nil {
		t.Fatalf("listing %s: %v", s.Registry, err)
	}
	if !slices.Contains(repos, "istio-release/base") {
		t.Fatalf("catalog of %s lacks the seeded istio-release/base: %d repositories listed", s.Registry, len(repos))
	}
	return repos
}

// RemoteIndex reads the manifest list ref from a plain-HTTP registry.
func RemoteIndex(t *testing.T, ref string) v1.ImageIndex {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("reading index %s: %v", ref, err)
	}
	return idx
}

// EachConfig calls fn with the config of every platform image of the list ref.
func EachConfig(t *testing.T, ref string, fn func(arch string, cfg *v1.ConfigFile)) {
	t.Helper()
	idx := RemoteIndex(t, ref)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		fn(d.Platform.Architecture, cfg)
	}
}

// CopyIndex copies the manifest list from to the tag to.
func CopyIndex(t *testing.T, from, to string) {
	t.Helper()
	dst, err := name.NewTag(to, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(dst, RemoteIndex(t, from), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("copying %s to %s: %v", from, to, err)
	}
}

// RemoteIndexDigest is the digest of the manifest list ref.
func RemoteIndexDigest(t *testing.T, ref string) v1.Hash {
	d, err := RemoteIndex(t, ref).Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// RandomSuffix is 12 random hex digits, for names no other test uses.
func RandomSuffix(t *testing.T) string {
	t.Helper()
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// RandomImage is a one-layer image whose config names a linux platform.
func RandomImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// NewAccess is istio-mab's registry access with opts.
func NewAccess(t *testing.T, opts ...registry.Option) *registry.Access {
	t.Helper()
	a, err := registry.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// DockerConfig points authn.DefaultKeychain (as the tool uses it) at a
// fresh config.json holding user:pass for host.
func DockerConfig(t *testing.T, host, user, pass string) {
	t.Helper()
	dir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{"auth": auth}}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DOCKER_CONFIG", dir)
}

// ListEntries reads a manifest list's platform images by platform.
func ListEntries(t *testing.T, ref string) map[string]v1.Descriptor {
	t.Helper()
	im, err := RemoteIndex(t, ref).IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]v1.Descriptor{}
	for _, d := range im.Manifests {
		if d.Annotations["vnd.docker.reference.type"] != "attestation-manifest" {
			out[d.Platform.String()] = d
		}
	}
	if len(out) != 2 {
		t.Fatalf("%s has entries %v, want linux/amd64 and linux/arm64", ref, out)
	}
	return out
}
