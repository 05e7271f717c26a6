package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestBuildRefusesBrokenImage: a Dockerfile that overwrites pilot-discovery
// with a text file yields an image that must not be published. With --push
// it is caught before any tag exists; with --push=false, before the run ends.
func TestBuildRefusesBrokenImage(t *testing.T) {
	s := stack(t)
	dir := fixtureCopy(t, "1.22.0")
	insertBefore(t, filepath.Join(dir, "pilot/docker/Dockerfile.pilot"), "USER ",
		"RUN echo broken > /usr/local/bin/pilot-discovery\n")
	want := "/usr/local/bin/pilot-discovery: not an ELF, Mach-O or PE binary"
	for _, push := range []string{"--push=true", "--push=false"} {
		t.Run(push, func(t *testing.T) {
			hub := uniqueHub(s)
			args := append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot", push, "--progress", "quiet")
			res := runIstioMab(t, args...)
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if res.code != 5 || len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 5 (verification) and one line containing %q", res.code, res.stderr, want)
			}
			ref, _ := name.ParseReference(hub+"/pilot:1.22.0", name.Insecure)
			if _, err := remote.Head(ref, remote.WithContext(t.Context())); err == nil {
				t.Errorf("%s exists: a broken image was tagged", ref)
			}
		})
	}
}

func insertBefore(t *testing.T, path, marker, text string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), marker)
	if i < 0 {
		t.Fatalf("%s has no %q", path, marker)
	}
	if err := os.WriteFile(path, []byte(string(b[:i])+text+string(b[i:])), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBuildCompileFailureExits4: a source that does not compile fails the
// run with exit 4 (build failure), and nothing is tagged.
func TestBuildCompileFailureExits4(t *testing.T) {
	s := stack(t)
	dir := fixtureCopy(t, "1.22.0")
	insertBefore(t, filepath.Join(dir, "pilot/cmd/pilot-discovery/main.go"), "func main", "func broken( {}\n")
	hub := uniqueHub(s)
	args := append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot", "--progress", "quiet")
	res := runIstioMab(t, args...)
	lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
	if res.code != 4 || !strings.Contains(lines[len(lines)-1], " on ") || !strings.Contains(lines[len(lines)-1], "compiling pilot-discovery for ") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 4 (build failure) naming the compile", res.code, tail(res.stderr, 10))
	}
	ref, _ := name.ParseReference(hub+"/pilot:1.22.0", name.Insecure)
	if _, err := remote.Head(ref, remote.WithContext(t.Context())); err == nil {
		t.Errorf("%s exists after a failed compile", ref)
	}
}
