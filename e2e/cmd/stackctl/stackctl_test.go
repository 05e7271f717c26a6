package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestServeWritesAddrAndServesFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	addrFile := filepath.Join(t.TempDir(), "addr")
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, []string{"--dir", dir, "--addr-file", addrFile}, io.Discard) }()

	addr := waitForFile(t, addrFile)
	resp, err := http.Get("http://" + addr + "/hello.txt")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hi" {
		t.Errorf("served %q, want %q", body, "hi")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve after interrupt: %v", err)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	err := runServe(context.Background(), []string{"--dir", ".", "--addr-file", "x", "--listen", "0.0.0.0:0"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("listening on 0.0.0.0: got %v, want a loopback error", err)
	}
}

func TestMissingFlagsAreNamed(t *testing.T) {
	err := runSeed(context.Background(), []string{"--registry", "127.0.0.1:5000"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "--busybox-amd64, --busybox-arm64") {
		t.Errorf("got %v, want both busybox flags named", err)
	}
}

func TestFixtureCommandPrintsTags(t *testing.T) {
	var out strings.Builder
	if err := runFixture(context.Background(), []string{"--out", t.TempDir()}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "REPO=") || !strings.HasPrefix(lines[1], "1.14.3 ") ||
		!strings.HasPrefix(lines[2], "1.22.0 ") || !strings.HasPrefix(lines[3], "1.22.1 ") || !strings.HasPrefix(lines[4], "1.22.2 ") {
		t.Errorf("output = %q, want REPO= then a line per tag", out.String())
	}
}

func TestGoProxyCommandPrintsSums(t *testing.T) {
	var out strings.Builder
	dir := t.TempDir()
	if err := runGoProxy(context.Background(), []string{"--out", dir}, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "mab.example/greet v1.0.0 h1:") || !strings.HasPrefix(lines[1], "mab.example/greet v1.0.0/go.mod h1:") {
		t.Errorf("output = %q, want the module's two go.sum lines", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "mab.example/greet/@v/v1.0.0.zip")); err != nil {
		t.Error(err)
	}
}

func waitForFile(t *testing.T, path string) string {
	t.Helper()
	for i := 0; i < 100; i++ {
		if b, err := os.ReadFile(path); err == nil && len(b) > 0 {
			return strings.TrimSpace(string(b))
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s never written", path)
	return ""
}
