package release

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

const (
	version = "v9.8.7-e2e"
	commit  = "0123456789abcdef0123456789abcdef01234567"
	binary  = "/usr/local/bin/istio-mab"
)

// TestReleaseImageRunsOnBothPlatforms releases the linux targets with an
// image, then reads the list back and runs the binary of each platform
// image on this host: natively for amd64, under qemu-aarch64-static for
// arm64 (the release tool ran them through BuildKit).
func TestReleaseImageRunsOnBothPlatforms(t *testing.T) {
	s := e2etest.LoadStack(t)
	repo := s.Registry + "/e2e/istio-mab-" + e2etest.RandomSuffix(t)
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "go", "run", "./tools/release", "-version", version, "-commit", commit,
		"-date", "1700000000", "-out", out, "-targets", "linux/amd64,linux/arm64",
		"-image", repo, "-buildkit-addr", s.BuildkitHost)
	cmd.Dir = e2etest.RepoRoot(t)
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("release: %v\n%s\n%s", err, stdout, stderrOf(err))
	}
	checkChecksums(t, out, []string{"istio-mab_9.8.7-e2e_linux_amd64.tar.gz", "istio-mab_9.8.7-e2e_linux_arm64.tar.gz"})

	idx := e2etest.RemoteIndex(t, repo+":"+version)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		if d.Platform == nil {
			t.Fatalf("list entry %s has no platform", d.Digest)
		}
		got = append(got, d.Platform.String())
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		checkPlatformImage(t, img, *d.Platform)
	}
	slices.Sort(got)
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(got, want) {
		t.Fatalf("list platforms %v, want %v", got, want)
	}
	digest, _ := idx.Digest()
	if !strings.Contains(string(stdout), repo+"@"+digest.String()) {
		t.Errorf("release printed no %s@%s:\n%s", repo, digest, stdout)
	}
}

func checkPlatformImage(t *testing.T, img v1.Image, pl v1.Platform) {
	t.Helper()
	cfg, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.OS != pl.OS || cfg.Architecture != pl.Architecture {
		t.Errorf("%s: config says %s/%s", pl, cfg.OS, cfg.Architecture)
	}
	if !slices.Equal(cfg.Config.Entrypoint, []string{binary}) || cfg.Config.User != "65532:65532" {
		t.Errorf("%s: entrypoint %q user %q, want [%s] as 65532:65532", pl, cfg.Config.Entrypoint, cfg.Config.User, binary)
	}
	files := e2etest.ImageFiles(t, img, binary, "/etc/ssl/certs/ca-certificates.crt")
	printed := runBinary(t, files[binary], pl.Architecture)
	for _, want := range []string{"istio-mab: " + version + "\n", "commit:    " + commit + "\n", " linux/" + pl.Architecture + "\n"} {
		if !strings.Contains(printed, want) {
			t.Errorf("%s: version printed %q, want %q in it", pl, printed, want)
		}
	}
}

// runBinary runs `istio-mab version` of the given architecture on this host.
func runBinary(t *testing.T, bin []byte, arch string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "istio-mab")
	if err := os.WriteFile(path, bin, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), path, "version")
	if arch == "arm64" {
		cmd = exec.CommandContext(t.Context(), "qemu-aarch64-static", path, "version")
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("running the %s binary: %v\n%s", arch, err, out)
	}
	return string(out)
}

// checkChecksums reads checksums.txt as sha256sum -c would: one line per
// archive, each hash that of the file.
func checkChecksums(t *testing.T, dir string, want []string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "checksums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			t.Fatalf("checksums.txt line %q is not sha256sum's format", sc.Text())
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if h := sha256.Sum256(b); hex.EncodeToString(h[:]) != sum {
			t.Errorf("%s: checksums.txt says %s, the file hashes to %x", name, sum, h)
		}
		names = append(names, name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("checksums.txt lists %v, want %v", names, want)
	}
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}
