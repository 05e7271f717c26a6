package e2etest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
)

// Node is a second buildkitd started by a test, with its own root and socket.
type Node struct {
	Addr string // BuildKit address, for --buildkit-addr
	bin  string
	args []string
	log  string
	cmd  *exec.Cmd
}

// StartNode runs a buildkitd with an empty state whose OCI worker builds
// only platform (every platform it can, when empty), and stops it (by its
// pid) when the test ends.
func StartNode(t *testing.T, s Stack, platform string) *Node {
	t.Helper()
	dir, err := os.MkdirTemp("", "mab-node-") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	return startNode(t, s, platform, dir, true)
}

// StartNodeAt runs a buildkitd like StartNode's whose root and socket are
// in dir, which it creates if need be and keeps: a later test starting a
// node there finds its cache warm. dir may be a mount point the test made
// (a small tmpfs).
func StartNodeAt(t *testing.T, s Stack, platform, dir string) *Node {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return startNode(t, s, platform, dir, false)
}

func startNode(t *testing.T, s Stack, platform, dir string, remove bool) *Node {
	t.Helper()
	cfg := filepath.Join(dir, "buildkitd.toml")
	toml := fmt.Sprintf("[worker.containerd]\n  enabled = false\n[worker.oci]\n  enabled = true\n  snapshotter = \"overlayfs\"\n[registry.%q]\n  http = true\n", s.Registry)
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	n := &Node{Addr: "unix://" + filepath.Join(dir, "buildkitd.sock"), log: filepath.Join(dir, "buildkitd.log"),
		bin: filepath.Join(filepath.Dir(s.Buildctl), "buildkitd")}
	n.args = []string{"--config", cfg, "--root", filepath.Join(dir, "root"), "--addr", n.Addr}
	if platform != "" {
		n.args = append(n.args, "--oci-worker-platform", platform)
	}
	t.Cleanup(func() {
		n.stop(syscall.SIGTERM)
		unmountUnder(dir)
		if remove {
			os.RemoveAll(dir)
		}
	})
	n.launch(t)
	return n
}

// launch starts buildkitd on the node's root and socket, appending to its log.
func (n *Node) launch(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(n.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close() // the child holds its own descriptor
	n.cmd = exec.Command(n.bin, n.args...)
	n.cmd.Stdout, n.cmd.Stderr = logf, logf
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitForNode(t, n.Addr, n.log)
}

// stop signals the node's own buildkitd, by its pid, and waits for it.
func (n *Node) stop(sig syscall.Signal) {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(sig)
	n.cmd.Wait()
	n.cmd = nil
}

// Crash kills the node's buildkitd at once, as a lost machine would be:
// no chance to finish or cancel what it runs. Its process group goes too
// (the runc processes of what it ran), which it leads: launch set Setpgid.
func (n *Node) Crash() {
	if n.cmd != nil {
		syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	}
	n.stop(syscall.SIGKILL)
}

// Restart starts a new buildkitd on the same root and socket, after a crash.
func (n *Node) Restart(t *testing.T) {
	t.Helper()
	n.Crash()
	n.launch(t)
}

// unmountUnder detaches the mounts a crashed buildkitd left under dir (the
// rootfs of the steps it ran), so the directory can be removed.
func unmountUnder(dir string) {
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		return
	}
	var points []string
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], dir+"/") {
			points = append(points, f[1])
		}
	}
	slices.Sort(points)
	slices.Reverse(points) // deepest first
	for _, p := range points {
		syscall.Unmount(p, syscall.MNT_DETACH)
	}
}

// waitForNode waits up to 30 s for buildkitd at addr to list its workers.
func waitForNode(t *testing.T, addr, log string) {
	t.Helper()
	for range 150 {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		c, err := client.New(ctx, addr)
		if err == nil {
			_, err = c.ListWorkers(ctx)
			c.Close()
		}
		cancel()
		if err == nil {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	b, _ := os.ReadFile(log)
	t.Fatalf("buildkitd at %s did not start:\n%s", addr, Tail(string(b), 20))
}
