package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// entry is one file of an archive: its name there, where it is read from,
// its mode.
type entry struct {
	name, path string
	mode       int64
}

// writeArchive packs the binary and the README into dir/t.archive(version),
// every entry dated mtime and owned by root, so the same inputs give the
// same bytes. It returns the archive's name and size.
func writeArchive(dir string, t target, version string, mtime time.Time, bin, readme string) (string, int64, error) {
	name := t.archive(version)
	entries := []entry{{t.binary(), bin, 0o755}, {"README.md", readme, 0o644}}
	fill := func(w io.Writer) error { return writeTarGz(w, entries, mtime) }
	if t.os == "windows" {
		fill = func(w io.Writer) error { return writeZip(w, entries, mtime) }
	}
	_, size, err := fsutil.WriteAtomic(filepath.Join(dir, name), fill)
	if err != nil {
		return "", 0, fmt.Errorf("writing %s: %w", name, err)
	}
	return name, size, nil
}

func writeTarGz(w io.Writer, entries []entry, mtime time.Time) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		err := withFile(e.path, func(f *os.File, size int64) error {
			h := &tar.Header{Name: e.name, Mode: e.mode, Size: size, ModTime: mtime, Typeflag: tar.TypeReg, Format: tar.FormatPAX}
			if err := tw.WriteHeader(h); err != nil {
				return err
			}
			_, err := io.Copy(tw, f)
			return err
		})
		if err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, entries []entry, mtime time.Time) error {
	zw := zip.NewWriter(w)
	for _, e := range entries {
		err := withFile(e.path, func(f *os.File, _ int64) error {
			h := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime.UTC()}
			h.SetMode(os.FileMode(e.mode))
			zf, err := zw.CreateHeader(h)
			if err != nil {
				return err
			}
			_, err = io.Copy(zf, f)
			return err
		})
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// withFile opens path and hands fn the file and its size.
func withFile(path string, fn func(*os.File, int64) error) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	return fn(f, st.Size())
}
