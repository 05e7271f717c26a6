package e2etest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// These checks read binaries with the standard library directly, not with
// the tool's own builder/exe and builder/archive, so a bug there cannot hide.

// BinaryPlatform names the platform of an ELF, Mach-O or PE binary.
func BinaryPlatform(b []byte) string {
	r := bytes.NewReader(b)
	if f, err := elf.NewFile(r); err == nil {
		return "linux/" + map[elf.Machine]string{elf.EM_X86_64: "amd64", elf.EM_AARCH64: "arm64", elf.EM_ARM: "arm"}[f.Machine]
	}
	if f, err := macho.NewFile(r); err == nil {
		return "darwin/" + map[macho.Cpu]string{macho.CpuAmd64: "amd64", macho.CpuArm64: "arm64"}[f.Cpu]
	}
	if f, err := pe.NewFile(r); err == nil {
		return "windows/" + map[uint16]string{pe.IMAGE_FILE_MACHINE_AMD64: "amd64", pe.IMAGE_FILE_MACHINE_ARM64: "arm64"}[f.Machine]
	}
	return "not a binary"
}

// UpstreamArchives are upstream's istioctl archive names and platforms.
func UpstreamArchives(version string, amd64Aliases bool) map[string]string {
	m := map[string]string{
		"istioctl-" + version + "-linux-amd64.tar.gz": "linux/amd64",
		"istioctl-" + version + "-linux-arm64.tar.gz": "linux/arm64",
		"istioctl-" + version + "-linux-armv7.tar.gz": "linux/arm",
		"istioctl-" + version + "-osx.tar.gz":         "darwin/amd64",
		"istioctl-" + version + "-osx-arm64.tar.gz":   "darwin/arm64",
		"istioctl-" + version + "-win.zip":            "windows/amd64",
	}
	if amd64Aliases {
		m["istioctl-"+version+"-osx-amd64.tar.gz"] = "darwin/amd64"
		m["istioctl-"+version+"-win-amd64.zip"] = "windows/amd64"
	}
	return m
}

// CheckArchives asserts dist holds exactly upstream's archives and their
// .sha256 files, each archive one istioctl for its platform.
func CheckArchives(t *testing.T, dist, version string, amd64Aliases bool) {
	t.Helper()
	want := UpstreamArchives(version, amd64Aliases)
	entries, _ := os.ReadDir(dist)
	if len(entries) != 2*len(want) {
		t.Errorf("dist has %d files, want %d archives and their .sha256", len(entries), len(want))
	}
	for name, platform := range want {
		if err := CheckArchiveFile(filepath.Join(dist, name), platform); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// CheckArchiveFile checks the archive at path: its .sha256 file matches,
// and it holds one istioctl, built for platform.
func CheckArchiveFile(path, platform string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return err
	}
	h := sha256.Sum256(b)
	if want := hex.EncodeToString(h[:]) + " " + filepath.Base(path) + "\n"; string(sum) != want {
		return fmt.Errorf(".sha256 holds %q, want %q", sum, want)
	}
	bin, err := onlyEntry(path, b)
	if err != nil {
		return err
	}
	if got := BinaryPlatform(bin); got != platform {
		return fmt.Errorf("istioctl inside is for %s, want %s", got, platform)
	}
	return nil
}

// onlyEntry returns the single file of a tar.gz (istioctl) or zip (istioctl.exe).
func onlyEntry(path string, b []byte) ([]byte, error) {
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return nil, err
		}
		if len(zr.File) != 1 || zr.File[0].Name != "istioctl.exe" {
			return nil, fmt.Errorf("zip holds %d entries, want only istioctl.exe", len(zr.File))
		}
		rc, err := zr.File[0].Open()
		if err != nil {
			return nil, err
		}
		defer rc.Close()
		return io.ReadAll(rc)
	}
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	h, err := tr.Next()
	if err != nil || h.Name != "istioctl" {
		return nil, fmt.Errorf("first entry %v (%v), want istioctl", h, err)
	}
	bin, err := io.ReadAll(tr)
	if err != nil {
		return nil, err
	}
	if _, err := tr.Next(); err != io.EOF {
		return nil, fmt.Errorf("tarball holds more than istioctl")
	}
	return bin, nil
}

// ArchiveBinary is the istioctl inside a release archive.
func ArchiveBinary(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := onlyEntry(path, b)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return bin
}
