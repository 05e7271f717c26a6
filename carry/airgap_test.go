package carry

import (
	"archive/tar"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
)

func newRegistry(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func access(t *testing.T, hosts ...string) *registry.Access {
	t.Helper()
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	a, err := registry.New(registry.WithInsecure(hosts...))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func platformImage(t *testing.T, arch string) v1.Image {
	t.Helper()
	img, err := random.Image(128, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := img.ConfigFile()
	cfg = cfg.DeepCopy()
	cfg.OS, cfg.Architecture = "linux", arch
	cfg.Config.User, cfg.Config.Entrypoint = "1337:1337", []string{"/usr/local/bin/pilot-discovery"} // as upstream
	if img, err = mutate.ConfigFile(img, cfg); err != nil {
		t.Fatal(err)
	}
	return img
}

// upstreamList pushes a two-platform list with an attestation entry, as
// upstream's are, under tags, and returns its digest.
func upstreamList(t *testing.T, repo string, tags ...string) v1.Hash {
	t.Helper()
	amd := platformImage(t, "amd64")
	amdDigest, _ := amd.Digest()
	att, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: platformImage(t, "arm64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amdDigest.String()},
		}},
	)
	for _, tag := range tags {
		ref, _ := name.NewTag(repo+":"+tag, name.Insecure)
		if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := idx.Digest()
	return d
}

func release(from string) Release {
	return Release{Version: "1.22.0", Hub: from, Images: []publish.Image{
		{Repository: from + "/pilot", Tags: []string{"1.22.0", "1.22.0-debug"}},
	}}
}

func TestMirrorKeepsDigestsAndSkipsWhatIsThere(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	a := access(t, src, dst)
	want := upstreamList(t, src+"/istio/pilot", "1.22.0") // no 1.22.0-debug: an alias never published
	res, st, err := ToRegistry(t.Context(), a, release(src+"/istio"), dst+"/mirror", CopyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st != (Stats{Copied: 1}) || res[0].Index.Digest != want || len(res[0].Tags) != 1 {
		t.Fatalf("first copy: %+v %+v", st, res[0])
	}
	ref, _ := name.NewTag(dst+"/mirror/pilot:1.22.0", name.Insecure)
	got, err := remote.Index(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	m, _ := got.IndexManifest()
	if d, _ := got.Digest(); d != want || len(m.Manifests) != 3 {
		t.Fatalf("mirrored %s with %d entries, want %s with 3", d, len(m.Manifests), want)
	}
	if _, st, err = ToRegistry(t.Context(), a, release(src+"/istio"), dst+"/mirror", CopyOptions{}); err != nil || st != (Stats{Present: 1}) {
		t.Fatalf("second copy: %+v, %v", st, err)
	}
}

func TestLayoutImportRoundTrip(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	a := access(t, src, dst)
	want := upstreamList(t, src+"/istio/pilot", "1.22.0", "1.22.0-debug")
	dir := filepath.Join(t.TempDir(), "layout")
	if _, _, err := ToLayout(t.Context(), a, release(src+"/istio"), dir, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	pack := filepath.Join(t.TempDir(), "airgap.tar")
	if err := Pack(dir, pack); err != nil {
		t.Fatal(err)
	}
	unpacked := t.TempDir()
	if err := Unpack(t.Context(), pack, unpacked); err != nil {
		t.Fatal(err)
	}
	imported, err := Import(t.Context(), unpacked, dst+"/internal", a, ImportOptions{})
	res := imported.Lists
	if err != nil {
		t.Fatal(err)
	}
	if res[0].Index.Digest != want || len(res[0].Tags) != 2 || res[0].Repository != dst+"/internal/pilot" {
		t.Fatalf("import: %+v", res[0])
	}
	for _, tag := range []string{"1.22.0", "1.22.0-debug"} {
		ref, _ := name.NewTag(dst+"/internal/pilot:"+tag, name.Insecure)
		d, err := remote.Head(ref, remote.WithContext(t.Context()))
		if err != nil || d.Digest != want {
			t.Errorf("%s: %v %v, want %s", ref, d, err, want)
		}
	}
}

// TestImportRefusesTamperedLayout: a layout whose list no longer matches
// its contents file moves no tag and pushes no list.
func TestImportRefusesTamperedLayout(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	a := access(t, src, dst)
	upstreamList(t, src+"/istio/pilot", "1.22.0")
	dir := filepath.Join(t.TempDir(), "layout")
	if _, _, err := ToLayout(t.Context(), a, release(src+"/istio"), dir, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	c, err := ReadContents(dir)
	if err != nil {
		t.Fatal(err)
	}
	c.Lists[0].Platforms[0].Digest = v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}
	if err := WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	_, err = Import(t.Context(), dir, dst+"/internal", a, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "carry the bundle again") {
		t.Fatalf("got %v", err)
	}
	ref, _ := name.NewTag(dst+"/internal/pilot:1.22.0", name.Insecure)
	if _, err := remote.Head(ref, remote.WithContext(t.Context())); err == nil {
		t.Error("tag moved after a refused import")
	}
}

func TestCheckFilesNamesChangedFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "files"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "files", "istioctl.tar.gz"), []byte("built"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, err := FilesIn(dir, "files")
	if err != nil || len(files) != 1 || files[0].Path != "files/istioctl.tar.gz" {
		t.Fatalf("FilesIn: %+v, %v", files, err)
	}
	c := Contents{Files: files}
	if err := CheckFiles(dir, c); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "files", "istioctl.tar.gz"), []byte("other"), 0o644)
	if err := CheckFiles(dir, c); err == nil || !strings.Contains(err.Error(), "files/istioctl.tar.gz") {
		t.Fatalf("got %v", err)
	}
}

func TestUnpackRefusesEscapingPaths(t *testing.T) {
	file := filepath.Join(t.TempDir(), "evil.tar")
	f, _ := os.Create(file)
	tw := tar.NewWriter(f)
	tw.WriteHeader(&tar.Header{Name: "../escape", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
	tw.Write([]byte("x"))
	tw.Close()
	f.Close()
	if err := Unpack(t.Context(), file, t.TempDir()); err == nil || !strings.Contains(err.Error(), "leaves the bundle") {
		t.Fatalf("got %v", err)
	}
}

// An attestation (unknown/unknown) beside amd64 is not an arm64 image: a
// mirror requiring both refuses the list before writing anything.
func TestMirrorRefusesListMissingAPlatform(t *testing.T) {
	from, to := newRegistry(t), newRegistry(t)
	amd := platformImage(t, "amd64")
	amdDigest, _ := amd.Digest()
	att, _ := random.Image(64, 1)
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": amdDigest.String()},
		}})
	ref, _ := name.NewTag(from+"/istio/pilot:1.22.0", name.Insecure)
	if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	o := CopyOptions{Require: []ocispecs.Platform{{OS: "linux", Architecture: "amd64"}, {OS: "linux", Architecture: "arm64"}}}
	_, _, err := ToRegistry(t.Context(), access(t, from, to), release(from+"/istio"), to+"/mirror", o)
	if err == nil || !strings.Contains(err.Error(), "no image for linux/arm64") {
		t.Fatalf("got %v, want a refusal naming linux/arm64", err)
	}
	repos, err := remote.Catalog(t.Context(), mustRegistry(t, to))
	if err != nil || len(repos) != 0 {
		t.Errorf("destination holds %v (%v), want nothing", repos, err)
	}
}

func mustRegistry(t *testing.T, host string) name.Registry {
	t.Helper()
	r, err := name.NewRegistry(host, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
