package build

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildRefusesBrokenImage: a Dockerfile that overwrites pilot-discovery
// with a text file yields an image that must not be published. With --push
// it is caught before any tag exists; with --push=false, before the run ends.
func TestBuildRefusesBrokenImage(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir := e2etest.FixtureCopy(t, "1.22.0")
	e2etest.InsertBefore(t, filepath.Join(dir, "pilot/docker/Dockerfile.pilot"), "USER ",
		"RUN echo broken > /usr/local/bin/pilot-discovery\n")
	want := "/usr/local/bin/pilot-discovery: not an ELF, Mach-O or PE binary"
	for _, push := range []string{"--push=true", "--push=false"} {
		t.Run(push, func(t *testing.T) {
			hub := e2etest.UniqueHub(s)
			args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot", push, "--progress", "quiet")
			res := e2etest.RunIstioMab(t, args...)
			lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
			if res.Code != 5 || len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Fatalf("exit %d, stderr:\n%s\nwant exit 5 (verification) and one line containing %q", res.Code, res.Stderr, want)
			}
			ref, _ := name.ParseReference(hub+"/pilot:1.22.0", name.Insecure)
			if _, err := remote.Head(ref, remote.WithContext(t.Context())); err == nil {
				t.Errorf("%s exists: a broken image was tagged", ref)
			}
		})
	}
}

// TestBuildCompileFailureExits4: a source that does not compile fails the
// run with exit 4 (build failure), and nothing is tagged.
func TestBuildCompileFailureExits4(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir := e2etest.FixtureCopy(t, "1.22.0")
	e2etest.InsertBefore(t, filepath.Join(dir, "pilot/cmd/pilot-discovery/main.go"), "func main", "func broken( {}\n")
	hub := e2etest.UniqueHub(s)
	args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--source", dir, "--images", "pilot", "--progress", "quiet")
	res := e2etest.RunIstioMab(t, args...)
	lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
	if res.Code != 4 || !strings.Contains(lines[len(lines)-1], " on ") || !strings.Contains(lines[len(lines)-1], "compiling pilot-discovery for ") {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 4 (build failure) naming the compile", res.Code, e2etest.Tail(res.Stderr, 10))
	}
	ref, _ := name.ParseReference(hub+"/pilot:1.22.0", name.Insecure)
	if _, err := remote.Head(ref, remote.WithContext(t.Context())); err == nil {
		t.Errorf("%s exists after a failed compile", ref)
	}
}
