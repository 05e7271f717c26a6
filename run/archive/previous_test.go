package archive

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// recompressFast rewrites the tarball at path with the same tar stream at
// gzip's fastest level: a valid archive of the same binary whose bytes
// Write would never produce.
func recompressFast(t *testing.T, path string) string {
	t.Helper()
	var bin []byte
	var mod time.Time
	if err := withTarGzEntry(path, "istioctl", func(r io.Reader, h entryHeader) (err error) {
		mod = h.modTime
		bin, err = io.ReadAll(r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{Typeflag: tar.TypeReg, Name: "istioctl", Mode: 0o755, Size: int64(len(bin)), ModTime: mod, Format: tar.FormatUSTAR}
	if err := tw.WriteHeader(hdr); err != nil {
		t.Fatal(err)
	}
	tw.Write(bin)
	tw.Close()
	gz.Close()
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, _ := fsutil.FileSHA256(path)
	writeFile(t, path+".sha256", checksumLine(sum, filepath.Base(path)))
	return sum
}

// An archive already holding the same binary at the same time is copied,
// not compressed again; a different time means a new archive.
func TestWriteCopiesAnUnchangedPreviousArchive(t *testing.T) {
	prev := t.TempDir()
	archives, _ := writeDefaults(t, prev)
	const name = "istioctl-1.22.0-linux-amd64.tar.gz"
	fast := recompressFast(t, filepath.Join(prev, name))

	sumIn := func(files []File) string {
		for _, f := range files {
			if filepath.Base(f.Path) == name {
				return f.SHA256
			}
		}
		t.Fatalf("no %s written", name)
		return ""
	}
	for _, tc := range []struct {
		modTime time.Time
		copied  bool
	}{{time.Unix(0, 0), true}, {time.Unix(1700000000, 0), false}} {
		out := t.TempDir()
		files, err := Write(context.Background(), out, archives, WithPrevious(prev), WithModTime(tc.modTime))
		if err != nil {
			t.Fatal(err)
		}
		if got := sumIn(files); (got == fast) != tc.copied {
			t.Errorf("time %v: %s has sha256 %s, previous %s; want copied=%t", tc.modTime, name, got, fast, tc.copied)
		}
		if err := VerifyDir(context.Background(), out, archives); err != nil {
			t.Error(err)
		}
	}
}
