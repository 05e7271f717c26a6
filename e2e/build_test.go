package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// TestBuild122 runs the main job on the 1.22.0 fixture twice: the first run
// must publish complete, correct manifest lists and archives; the second must
// compile nothing and publish the same digests.
func TestBuild122(t *testing.T) {
	s := stack(t)
	hub, dist := uniqueHub(s), t.TempDir()
	first := runIstioMab(t, stackArgs(s, "1.22.0", hub, dist)...)
	if first.code != 0 {
		t.Fatalf("istio-mab build exited %d:\n%s", first.code, tail(first.stderr, 40))
	}
	digests := map[string]v1.Hash{}
	for _, image := range []string{"pilot", "proxyv2"} {
		digests[image] = checkImage(t, hub+"/"+image+":1.22.0", image, "1.22.0")
	}
	checkArchives(t, dist, "1.22.0", true)

	t.Run("second run compiles nothing and gives the same digests", func(t *testing.T) {
		second := runIstioMab(t, append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--force")...)
		if second.code != 0 {
			t.Fatalf("second build exited %d:\n%s", second.code, tail(second.stderr, 40))
		}
		// Both images for two platforms: pilot-discovery and pilot-agent twice,
		// istioctl for its six archive platforms.
		const binaries = 10
		compiles := 0
		for name, cached := range completedVertices(t, second.stderr) {
			if strings.HasPrefix(name, "compile ") {
				compiles++
				if !cached {
					t.Errorf("%q ran again; want it cached", name)
				}
			}
		}
		if compiles != binaries {
			t.Errorf("saw %d compile steps in the progress output, want one per binary (%d)", compiles, binaries)
		}
		for image, want := range digests {
			if got := remoteIndexDigest(t, hub+"/"+image+":1.22.0"); got != want {
				t.Errorf("%s: list digest %s after the second run, want %s", image, got, want)
			}
		}
	})
}

func remoteIndexDigest(t *testing.T, ref string) v1.Hash {
	d, err := remoteIndex(t, ref).Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// imageBinaries are what each image must carry for its platform.
var imageBinaries = map[string][]string{
	"pilot":   {"/usr/local/bin/pilot-discovery"},
	"proxyv2": {"/usr/local/bin/pilot-agent", "/usr/local/bin/envoy"},
}

// checkImage asserts ref is a manifest list of exactly linux/amd64 and
// linux/arm64, each entry with its platform, matching configs and binaries.
func checkImage(t *testing.T, ref, image, version string) v1.Hash {
	t.Helper()
	idx := remoteIndex(t, ref)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		if d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue // TestBuildAttested checks them
		}
		if d.Platform == nil {
			t.Fatalf("%s: entry %s has no platform", ref, d.Digest)
		}
		got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkPlatformImage(t, img, image, version, *d.Platform)
	}
	slices.Sort(got)
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(got, want) {
		t.Errorf("%s: platforms %v, want %v", ref, got, want)
	}
	digest, _ := idx.Digest()
	return digest
}

func checkPlatformImage(t *testing.T, img v1.Image, image, version string, pl v1.Platform) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != pl.OS || cfg.Architecture != pl.Architecture {
		t.Errorf("%s %s: config says %s/%s", image, pl, cfg.OS, cfg.Architecture)
	}
	checkConfig(t, image, pl, cfg.Config)
	files := imageFiles(t, img, imageBinaries[image]...)
	checkLayerLevel(t, img, imageBinaries[image]...)
	for path, b := range files {
		if got := binaryPlatform(b); got != pl.OS+"/"+pl.Architecture {
			t.Errorf("%s %s: %s is for %s", image, pl, path, got)
		}
	}
	if image == "pilot" && pl.Architecture == "arm64" {
		checkVersionUnderQEMU(t, files["/usr/local/bin/pilot-discovery"], version)
	}
}

// checkConfig compares USER, ENTRYPOINT and ENV with the fixture's
// Dockerfiles, which are upstream's: proxyv2 sets no USER.
func checkConfig(t *testing.T, image string, pl v1.Platform, c v1.Config) {
	t.Helper()
	entry := map[string]string{"pilot": "/usr/local/bin/pilot-discovery", "proxyv2": "/usr/local/bin/pilot-agent"}[image]
	user := map[string]string{"pilot": "1337:1337", "proxyv2": ""}[image]
	if c.User != user || !slices.Equal(c.Entrypoint, []string{entry}) {
		t.Errorf("%s %s: user %q entrypoint %q, want %q [%s]", image, pl, c.User, c.Entrypoint, user, entry)
	}
	if image == "proxyv2" && !slices.ContainsFunc(c.Env, func(e string) bool {
		return strings.HasPrefix(e, "ISTIO_META_ISTIO_PROXY_SHA=") && len(e) > len("ISTIO_META_ISTIO_PROXY_SHA=")+30
	}) {
		t.Errorf("proxyv2 %s: env %q lacks ISTIO_META_ISTIO_PROXY_SHA with the proxy SHA", pl, c.Env)
	}
}

// checkVersionUnderQEMU runs the arm64 binary through user-mode emulation.
func checkVersionUnderQEMU(t *testing.T, bin []byte, version string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "pilot-discovery")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), "qemu-aarch64-static", path, "version").CombinedOutput()
	if err != nil {
		t.Fatalf("running an arm64 binary under QEMU: %v\n%s", err, out)
	}
	for _, want := range []string{"version=" + version, "arch=arm64", "os=linux"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("arm64 binary's version printed %q, want %q in it", out, want)
		}
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
