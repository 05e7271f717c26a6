package build

import (
	"io/fs"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestUnchangedBinariesAreNotSentAgain: the images' binaries never leave
// BuildKit (the images copy them from their compiles), and a rebuild whose
// compiles are cached does not export the istioctl binaries again: the
// files kept from the first run stay the very same files.
func TestUnchangedBinariesAreNotSentAgain(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	env := []string{"XDG_CACHE_HOME=" + t.TempDir()}
	exports := filepath.Join(strings.TrimPrefix(env[0], "XDG_CACHE_HOME="), "istio-mab", "exports")
	if r := e2etest.RunIstioMabEnv(t, env, e2etest.StackArgs(s, "1.22.0", hub, t.TempDir())...); r.Code != 0 {
		t.Fatalf("first build exited %d:\n%s", r.Code, e2etest.Tail(r.Stderr, 40))
	}
	before := keptFiles(t, exports)
	var istioctls int
	for path := range before {
		if strings.Contains(path, "pilot-") {
			t.Errorf("%s was exported to the client; the images take it from its compile", path)
		}
		if strings.HasPrefix(filepath.Base(path), "istioctl") {
			istioctls++
		}
	}
	if istioctls != 6 {
		t.Errorf("kept %d istioctl exports, want one per archive platform (6): %v", istioctls, before)
	}
	second := e2etest.RunIstioMabEnv(t, env, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--force")...)
	if second.Code != 0 {
		t.Fatalf("second build exited %d:\n%s", second.Code, e2etest.Tail(second.Stderr, 40))
	}
	after := keptFiles(t, exports)
	for path, was := range before {
		if now, ok := after[path]; !ok || now != was {
			t.Errorf("%s was written again (inode, mtime %v, then %v)", path, was, now)
		}
	}
}

// fileIdentity changes when a file is replaced (a new export is renamed
// into place) or written; the ctime would also change with each hard link
// a run makes to it.
type fileIdentity struct {
	ino   uint64
	mtime syscall.Timespec
}

// keptFiles are the kept exports under dir by path.
func keptFiles(t *testing.T, dir string) map[string]fileIdentity {
	t.Helper()
	out := map[string]fileIdentity{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == ".lock" {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Stat(path, &st); err != nil {
			return err
		}
		out[path] = fileIdentity{st.Ino, st.Mtim}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
