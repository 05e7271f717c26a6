package soak

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Registry is a distribution registry (docker-registry, as the stack runs)
// a test owns: its own storage and loopback port, so it can be restarted
// mid-push without touching the stack's.
type Registry struct {
	Addr string // host:port, plain HTTP
	cfg  string
	log  string
	cmd  *exec.Cmd
}

// StartRegistry starts a registry on a free loopback port with its storage
// in a temporary directory, and stops it (by its pid) when the test ends.
// It logs every request at level info (Log), so a test can count what a
// client uploaded from the registry's side.
func StartRegistry(t testing.TB) *Registry {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: info\nstorage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\nhttp:\n  addr: %s\n",
		filepath.Join(dir, "data"), addr)
	r := &Registry{Addr: addr, cfg: filepath.Join(dir, "config.yml"), log: filepath.Join(dir, "registry.log")}
	if err := os.WriteFile(r.cfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(syscall.SIGTERM) })
	if err := r.Launch(); err != nil {
		t.Fatal(err)
	}
	return r
}

// Log is the registry's log file (stdout and stderr, across restarts).
func (r *Registry) Log() string { return r.log }

// Launch starts the registry process and waits for it to answer /v2/.
func (r *Registry) Launch() error {
	logf, err := os.OpenFile(r.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	r.cmd = exec.Command("docker-registry", "serve", r.cfg)
	r.cmd.Stdout, r.cmd.Stderr = logf, logf
	if err := r.cmd.Start(); err != nil {
		return fmt.Errorf("starting docker-registry: %w", err)
	}
	for range 150 {
		if resp, err := http.Get("http://" + r.Addr + "/v2/"); err == nil {
			resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("registry on %s did not answer in 15 s", r.Addr)
}

// Stop signals the registry's process, by its pid, and waits for it.
func (r *Registry) Stop(sig syscall.Signal) {
	if r.cmd == nil {
		return
	}
	r.cmd.Process.Signal(sig)
	r.cmd.Wait()
	r.cmd = nil
}

// Restart kills the registry at once (SIGKILL: uploads in flight are cut),
// leaves it down for down, and starts it again on the same storage and port.
func (r *Registry) Restart(down time.Duration) error {
	r.Stop(syscall.SIGKILL)
	time.Sleep(down)
	return r.Launch()
}
