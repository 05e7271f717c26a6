package e2e

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	"github.com/moby/buildkit/client"
)

// node is a second buildkitd started by a test, with its own root and socket.
type node struct {
	addr string
	bin  string
	args []string
	log  string
	cmd  *exec.Cmd
}

// startNode runs a buildkitd with an empty state whose OCI worker builds
// only platform (every platform it can, when empty), and stops it (by its
// pid) when the test ends.
func startNode(t *testing.T, s Stack, platform string) *node {
	t.Helper()
	dir, err := os.MkdirTemp("", "mab-node-") // short: socket paths are limited
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "buildkitd.toml")
	toml := fmt.Sprintf("[worker.containerd]\n  enabled = false\n[worker.oci]\n  enabled = true\n  snapshotter = \"overlayfs\"\n[registry.%q]\n  http = true\n", s.Registry)
	if err := os.WriteFile(cfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	n := &node{addr: "unix://" + filepath.Join(dir, "buildkitd.sock"), log: filepath.Join(dir, "buildkitd.log"),
		bin: filepath.Join(filepath.Dir(s.Buildctl), "buildkitd")}
	n.args = []string{"--config", cfg, "--root", filepath.Join(dir, "root"), "--addr", n.addr}
	if platform != "" {
		n.args = append(n.args, "--oci-worker-platform", platform)
	}
	t.Cleanup(func() {
		n.stop(syscall.SIGTERM)
		unmountUnder(dir)
		os.RemoveAll(dir)
	})
	n.launch(t)
	return n
}

// launch starts buildkitd on the node's root and socket, appending to its log.
func (n *node) launch(t *testing.T) {
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
	waitForNode(t, n.addr, n.log)
}

// stop signals the node's own buildkitd, by its pid, and waits for it.
func (n *node) stop(sig syscall.Signal) {
	if n.cmd == nil {
		return
	}
	n.cmd.Process.Signal(sig)
	n.cmd.Wait()
	n.cmd = nil
}

// crash kills the node's buildkitd at once, as a lost machine would be:
// no chance to finish or cancel what it runs. Its process group goes too
// (the runc processes of what it ran), which it leads: launch set Setpgid.
func (n *node) crash() {
	if n.cmd != nil {
		syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	}
	n.stop(syscall.SIGKILL)
}

// restart starts a new buildkitd on the same root and socket, after a crash.
func (n *node) restart(t *testing.T) {
	t.Helper()
	n.crash()
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
	t.Fatalf("buildkitd at %s did not start:\n%s", addr, tail(string(b), 20))
}

// exportingSolves counts the solves a node ran since `since` that exported
// something (compiles, Envoy fetches, images); reading metadata exports nothing.
func exportingSolves(t *testing.T, addr string, since time.Time) int {
	t.Helper()
	n := 0
	for _, r := range history(t, addr) {
		if !r.CreatedAt.AsTime().Before(since) && len(r.Exporters) > 0 {
			n++
		}
	}
	return n
}

// history is every build record a node keeps.
func history(t *testing.T, addr string) []*controlapi.BuildHistoryRecord {
	t.Helper()
	c, err := client.New(t.Context(), addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	stream, err := c.ControlClient().ListenBuildHistory(t.Context(), &controlapi.BuildHistoryRequest{EarlyExit: true})
	if err != nil {
		t.Fatal(err)
	}
	var out []*controlapi.BuildHistoryRecord
	for {
		ev, err := stream.Recv()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if ev.Record != nil {
			out = append(out, ev.Record)
		}
	}
}

// imageSolves counts the Dockerfile solves a node ran since `since`, by the
// number of solves per platform built.
func imageSolves(t *testing.T, addr string, since time.Time) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, r := range history(t, addr) {
		if r.Frontend == "dockerfile.v0" && !r.CreatedAt.AsTime().Before(since) {
			out[r.FrontendAttrs["platform"]]++
		}
	}
	return out
}
