package soak

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// exportStarted is BuildKit's image exporter starting, in plain progress.
var exportStarted = regexp.MustCompile(`exporting (layers|to image|manifest)`)

// TestDiskFull (SOAK_LOAD=1, under `make soak`): a buildkitd of the test's
// own whose root is a 6 GiB tmpfs builds pilot; once its image export
// starts a filler file takes every free byte. The run fails with exit 4
// naming the node and the full disk, and nothing is tagged; once the
// filler is deleted a rerun completes.
func TestDiskFull(t *testing.T) {
	if os.Getenv("SOAK_LOAD") == "" {
		t.Skip("SOAK_LOAD is not set: `make soak` runs the disk-full test")
	}
	s := e2etest.LoadStack(t)
	dir := smallDisk(t, "6g")
	n := e2etest.StartNodeAt(t, s, "", dir)
	path := "e2e-full-" + e2etest.RandomSuffix(t) + "/istio"
	seed, err := soak.Seed(t.Context(), s.Registry, path, "pilot", "1.22.0", "1.22.0-debug")
	if err != nil {
		t.Fatal(err)
	}
	args := append(e2etest.StackArgs(s, "1.22.0", s.Registry+"/"+path, t.TempDir()), "--images", "pilot",
		"--progress", "plain", "--buildkit-addr", n.Addr)
	filler := filepath.Join(dir, "filler")

	code, stderr := runFilling(t, args, filler)
	line := lastLine(stderr)
	t.Logf("disk full: exit %d: %s", code, line)
	if code != 4 || !strings.Contains(line, "BuildKit node "+n.Addr) || !strings.Contains(line, "no space left on device") {
		t.Errorf("exit %d, %q: want exit 4 naming the node %s and the full disk\n%s", code, line, n.Addr, e2etest.Tail(stderr, 20))
	}
	requireTags(t, s, path, seed, "")

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	res := e2etest.RunIstioMab(t, args...)
	t.Logf("after freeing the space: exit %d", res.Code)
	if res.Code != 0 {
		t.Errorf("the rerun exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 20))
	}
	requireTags(t, s, path, seed, "pilot:1.22.0,pilot:1.22.0-debug")
}

// smallDisk mounts a tmpfs of size on a new directory, unmounted and
// removed when the test ends (after the node on it stopped).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mab-full-") // short: the node's socket lives there
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		os.Remove(dir)
		t.Fatalf("mounting a tmpfs on %s (the test needs root): %v", dir, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, syscall.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", dir, err)
		}
		os.Remove(dir)
	})
	return dir
}

// runFilling runs istio-mab and fills the disk of filler once the export
// starts; it returns the exit code and stderr.
func runFilling(t *testing.T, args []string, filler string) (int, string) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), e2etest.IstioMab(t), args...)
	cmd.Env = e2etest.IstioMabEnv()
	var stderr e2etest.SyncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for filled := false; ; {
		select {
		case <-done:
			if !filled {
				t.Fatalf("istio-mab exited %d before its export started:\n%s", cmd.ProcessState.ExitCode(), e2etest.Tail(stderr.String(), 20))
			}
			return cmd.ProcessState.ExitCode(), stderr.String()
		case <-time.After(100 * time.Millisecond):
			if !filled && exportStarted.MatchString(stderr.String()) {
				fill(t, filler)
				filled = true
			}
		}
	}
}

// fill allocates every free byte of filler's file system to filler, in
// 64 MiB steps until the file system refuses one, then in 4 KiB steps.
func fill(t *testing.T, filler string) {
	t.Helper()
	f, err := os.OpenFile(filler, os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var size int64
	for _, step := range []int64{64 << 20, 4 << 10} {
		for {
			err := syscall.Fallocate(int(f.Fd()), 0, size, step)
			if err == syscall.ENOSPC {
				break
			}
			if err != nil {
				t.Fatalf("filling %s: %v", filler, err)
			}
			size += step
		}
	}
	t.Logf("filled the node's disk: %d MiB", size>>20)
}

// requireTags fails unless the tags under path hold the invariant and
// exactly want (comma-separated, "" for none) moved.
func requireTags(t *testing.T, s e2etest.Stack, path string, seed map[string]string, want string) {
	t.Helper()
	moved, problems, err := soak.CheckTags(t.Context(), s.Registry, path, seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	if strings.Join(moved, ",") != want {
		t.Errorf("moved %v, want %q", moved, want)
	}
}
