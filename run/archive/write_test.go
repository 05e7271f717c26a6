package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func writeDefaults(t *testing.T, dir string, opts ...Option) ([]Archive, []File) {
	t.Helper()
	archives, err := Defaults("1.22.0", upstreamBinaries(t), true)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Write(context.Background(), dir, archives, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return archives, files
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteDefaultSet(t *testing.T) {
	dir := t.TempDir()
	archives, files := writeDefaults(t, dir)

	var want []string
	for _, n := range []string{"linux-amd64.tar.gz", "linux-arm64.tar.gz", "linux-armv7.tar.gz",
		"osx.tar.gz", "osx-amd64.tar.gz", "osx-arm64.tar.gz", "win.zip", "win-amd64.zip"} {
		want = append(want, "istioctl-1.22.0-"+n, "istioctl-1.22.0-"+n+".sha256")
	}
	slices.Sort(want)
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("dir holds %v, want %v", got, want)
	}

	for i, f := range files {
		a := archives[i]
		raw, err := os.ReadFile(f.Path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(raw)
		if f.Path != filepath.Join(dir, a.Name) || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(raw)) {
			t.Errorf("%s: summary %+v does not match the file", a.Name, f)
		}
		checksum, err := os.ReadFile(f.ChecksumPath)
		if err != nil {
			t.Fatal(err)
		}
		if want := f.SHA256 + " " + a.Name + "\n"; string(checksum) != want {
			t.Errorf("%s.sha256 = %q, want %q", a.Name, checksum, want)
		}
		binary, err := os.ReadFile(a.Binary.Path)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(a.Name, ".zip") {
			checkZip(t, raw, binary)
		} else {
			checkTarGz(t, raw, binary, time.Unix(0, 0))
		}
	}
	if err := VerifyDir(context.Background(), dir, archives); err != nil {
		t.Fatal(err)
	}
}

func checkTarGz(t *testing.T, raw, binary []byte, modTime time.Time) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || !gz.ModTime.IsZero() {
		t.Errorf("gzip header has name %q, mtime %v; want neither", gz.Name, gz.ModTime)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if hdr.Name != "istioctl" || hdr.Typeflag != tar.TypeReg || hdr.Mode != 0o755 ||
		hdr.Uid != 0 || hdr.Gid != 0 || hdr.Uname != "" || hdr.Gname != "" || !hdr.ModTime.Equal(modTime) {
		t.Errorf("tar header %+v", hdr)
	}
	content, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, binary) {
		t.Error("tarball content differs from the binary")
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("want one entry, next: %v", err)
	}
}

func checkZip(t *testing.T, raw, binary []byte) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != 1 || zr.File[0].Name != "istioctl.exe" || zr.File[0].Mode().Perm() != 0o755 {
		t.Fatalf("zip entries %+v", zr.File)
	}
	rc, err := zr.File[0].Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	content, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(content, binary) {
		t.Error("zip content differs from the binary")
	}
}

func TestWriteIsReproducible(t *testing.T) {
	first, second, later := t.TempDir(), t.TempDir(), t.TempDir()
	_, a := writeDefaults(t, first)
	_, b := writeDefaults(t, second, WithParallelism(1))
	commitTime := time.Date(2024, 5, 13, 10, 0, 0, 500, time.FixedZone("x", 3600))
	_, c := writeDefaults(t, later, WithModTime(commitTime))
	for i := range a {
		x, _ := os.ReadFile(a[i].Path)
		y, _ := os.ReadFile(b[i].Path)
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two writes", filepath.Base(a[i].Path))
		}
		if a[i].SHA256 == c[i].SHA256 {
			t.Errorf("%s ignores the modification time", filepath.Base(a[i].Path))
		}
	}
	raw, _ := os.ReadFile(c[0].Path)
	binary, _ := os.ReadFile(testBinaries["linux/amd64"])
	checkTarGz(t, raw, binary, commitTime.Truncate(time.Second))
}

func TestWriteRefusesMislabeledBinary(t *testing.T) {
	dir := t.TempDir()
	archives := []Archive{
		{Name: "istioctl-1.22.0-linux-amd64.tar.gz", Binary: Binary{Path: testBinaries["linux/amd64"], Platform: platform("linux/amd64")}},
		{Name: "istioctl-1.22.0-linux-arm64.tar.gz", Binary: Binary{Path: testBinaries["linux/amd64"], Platform: platform("linux/arm64")}},
	}
	_, err := Write(context.Background(), dir, archives)
	if err == nil || !strings.Contains(err.Error(), "binary is for linux/amd64, want linux/arm64") {
		t.Fatalf("got %v", err)
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("dir holds %v after a refused write", names)
	}
}

func TestWriteRejectsBadArchives(t *testing.T) {
	linux := Binary{Path: testBinaries["linux/amd64"], Platform: platform("linux/amd64")}
	windows := Binary{Path: testBinaries["windows/amd64"], Platform: platform("windows/amd64")}
	cases := map[string][]Archive{
		"path in name":      {{Name: "sub/istioctl.tar.gz", Binary: linux}},
		"unknown extension": {{Name: "istioctl.tgz", Binary: linux}},
		"linux in a zip":    {{Name: "istioctl.zip", Binary: linux}},
		"windows in a tar":  {{Name: "istioctl.tar.gz", Binary: windows}},
		"duplicate name":    {{Name: "istioctl.tar.gz", Binary: linux}, {Name: "istioctl.tar.gz", Binary: linux}},
		"missing binary":    {{Name: "istioctl.tar.gz", Binary: Binary{Path: "/nonexistent", Platform: linux.Platform}}},
	}
	for name, archives := range cases {
		dir := t.TempDir()
		if _, err := Write(context.Background(), dir, archives); err == nil {
			t.Errorf("%s: want error", name)
		}
		if names := dirNames(t, dir); len(names) != 0 {
			t.Errorf("%s: dir holds %v", name, names)
		}
	}
	if _, err := Write(context.Background(), t.TempDir(), nil, WithModTime(time.Unix(-1, 0))); err == nil {
		t.Error("mod time before 1970: want error")
	}
}

func TestWriteStopsOnCanceledContext(t *testing.T) {
	archives, err := Defaults("1.22.0", upstreamBinaries(t), false)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := t.TempDir()
	if _, err := Write(ctx, dir, archives); err == nil {
		t.Fatal("want error")
	}
	if names := dirNames(t, dir); len(names) != 0 {
		t.Fatalf("dir holds %v after a canceled write", names)
	}
}
