package exe

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// buildHello cross-compiles a tiny program for goos/goarch with the host toolchain.
func buildHello(t *testing.T, goos, goarch, goarm string) []byte {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "hello")
	cmd := exec.Command("go", "build", "-o", out, src)
	cmd.Env = append(os.Environ(), "GOOS="+goos, "GOARCH="+goarch, "GOARM="+goarm, "CGO_ENABLED=0", "GOFLAGS=")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s/%s: %v\n%s", goos, goarch, err, b)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestIdentifyCrossCompiled(t *testing.T) {
	cases := []struct{ goos, goarch, goarm, want, format string }{
		{"linux", "amd64", "", "linux/amd64", "ELF"},
		{"linux", "arm64", "", "linux/arm64", "ELF"},
		{"linux", "arm", "7", "linux/arm/v7", "ELF"},
		{"darwin", "amd64", "", "darwin/amd64", "Mach-O"},
		{"darwin", "arm64", "", "darwin/arm64", "Mach-O"},
		{"windows", "amd64", "", "windows/amd64", "PE"},
	}
	for _, c := range cases {
		t.Run(c.want, func(t *testing.T) {
			info, err := Identify(bytes.NewReader(buildHello(t, c.goos, c.goarch, c.goarm)))
			if err != nil {
				t.Fatal(err)
			}
			if info.String() != c.want || info.Format != c.format {
				t.Fatalf("got %s %s, want %s %s", info.Format, info, c.format, c.want)
			}
		})
	}
}

func TestCheckRejectsWrongArch(t *testing.T) {
	bin := buildHello(t, "linux", "amd64", "")
	err := Check(bytes.NewReader(bin), ocispecs.Platform{OS: "linux", Architecture: "arm64"})
	if err == nil || err.Error() != "ELF binary is for linux/amd64, want linux/arm64" {
		t.Fatalf("got %v", err)
	}
	if err := Check(bytes.NewReader(bin), ocispecs.Platform{OS: "linux", Architecture: "amd64"}); err != nil {
		t.Fatal(err)
	}
}

func TestIdentifyRejectsText(t *testing.T) {
	if _, err := Identify(bytes.NewReader([]byte("#!/bin/sh\necho hi\n"))); err == nil {
		t.Fatal("want error for a shell script")
	}
}
