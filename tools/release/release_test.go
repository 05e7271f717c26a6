package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// hello cross-compiles a tiny program for t with the host's Go.
func hello(t *testing.T, tg target) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, tg.binary())
	cmd := exec.Command("go", "build", "-o", out, src)
	cmd.Env = append(os.Environ(), "GOOS="+tg.os, "GOARCH="+tg.arch, "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", tg, err, b)
	}
	return out
}

func readme(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "README.md")
	if err := os.WriteFile(p, []byte("# istio-mab\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArchivesAreCheckedForTheirPlatform(t *testing.T) {
	mtime := time.Unix(1700000000, 0).UTC()
	for _, tg := range []target{{"linux", "arm64"}, {"darwin", "arm64"}, {"windows", "arm64"}} {
		t.Run(tg.String(), func(t *testing.T) {
			dir := t.TempDir()
			name, size, err := writeArchive(dir, tg, "v1.2.3", mtime, hello(t, tg), readme(t))
			if err != nil {
				t.Fatal(err)
			}
			if want := tg.archive("v1.2.3"); name != want || size == 0 {
				t.Fatalf("wrote %s (%d bytes), want %s", name, size, want)
			}
			if err := checkArchive(dir, name, tg); err != nil {
				t.Fatal(err)
			}
			other := target{tg.os, "amd64"}
			err = checkArchive(dir, name, target{other.os, other.arch})
			if err == nil || !strings.Contains(err.Error(), "want "+other.String()) {
				t.Fatalf("an arm64 binary passed as %s: %v", other, err)
			}
		})
	}
}

func TestArchivesAreReproducible(t *testing.T) {
	tg := target{"linux", "amd64"}
	bin, rd := hello(t, tg), readme(t)
	var got [][]byte
	for range 2 {
		dir := t.TempDir()
		name, _, err := writeArchive(dir, tg, "v1.2.3", time.Unix(1700000000, 0), bin, rd)
		if err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, b)
	}
	if !bytes.Equal(got[0], got[1]) {
		t.Fatal("the same inputs gave two different archives")
	}
}

func TestChecksumsPassSha256sum(t *testing.T) {
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("no sha256sum on this host")
	}
	dir := t.TempDir()
	for _, n := range []string{"b.zip", "a.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	lines, err := writeChecksums(dir, []string{"b.zip", "a.tar.gz"})
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 || !strings.HasSuffix(lines[0], "  a.tar.gz") {
		t.Fatalf("lines %q, want two sorted by name", lines)
	}
	sha256sum := func() error {
		cmd := exec.Command("sha256sum", "-c", checksumsFile)
		cmd.Dir = dir
		return cmd.Run()
	}
	if err := sha256sum(); err != nil {
		t.Fatalf("sha256sum -c: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b.zip"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if sha256sum() == nil {
		t.Fatal("sha256sum -c passed a changed archive")
	}
}

func TestCleanKeepsOtherFiles(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"istio-mab_0.1.0_linux_amd64.tar.gz", checksumsFile, "istioctl-1.14.3-linux-amd64.tar.gz"} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := clean(dir); err != nil {
		t.Fatal(err)
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(left) != 1 || filepath.Base(left[0]) != "istioctl-1.14.3-linux-amd64.tar.gz" {
		t.Fatalf("left %v", left)
	}
}

func TestVersionOutputNamesVersionAndPlatform(t *testing.T) {
	out := "istio-mab: v1.2.3\ncommit:    abc\ngo:        go1.26.8 linux/arm64\nbuildkit:  v0.34.2 (client)\n"
	if err := checkVersionOutput(out, "v1.2.3", target{"linux", "arm64"}); err != nil {
		t.Fatal(err)
	}
	if checkVersionOutput(out, "v1.2.4", target{"linux", "arm64"}) == nil {
		t.Fatal("a wrong version passed")
	}
	if checkVersionOutput(out, "v1.2.3", target{"linux", "amd64"}) == nil {
		t.Fatal("an arm64 binary passed as amd64")
	}
}

func TestOnlyLoopbackRegistriesArePlainHTTP(t *testing.T) {
	for repo, want := range map[string]bool{
		"127.0.0.1:45000/istio-mab":                                   true,
		"localhost:5000/istio-mab":                                    true,
		"ghcr.io/owner/istio-mab":                                     false,
		"registry.example.com:5000/a/b":                               false,
		"10.0.0.1:5000/istio-mab":                                     false,
		"127.0.0.1:45000/istio-mab@sha256:" + strings.Repeat("a", 64): true,
	} {
		if got := loopback(repo); got != want {
			t.Errorf("loopback(%s) = %v, want %v", repo, got, want)
		}
	}
}

func TestParseTargetsRefusesUnknown(t *testing.T) {
	if _, err := parseTargets("linux/amd64,linux/s390x"); err == nil || !strings.Contains(err.Error(), "linux/s390x") {
		t.Fatalf("got %v", err)
	}
	got, err := parseTargets(targetList())
	if err != nil || len(got) != 6 {
		t.Fatalf("got %v, %v", got, err)
	}
}
