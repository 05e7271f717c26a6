package main

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/istio-mab/istio-mab/internal/exe"
)

// checkArchive reads back dir/name, as a user unpacks it, and checks the
// binary it holds runs on t: what ships is what is checked.
func checkArchive(dir, name string, t target) error {
	path := filepath.Join(dir, name)
	var err error
	if t.os == "windows" {
		err = checkZip(path, t)
	} else {
		err = checkTarGz(path, t)
	}
	if err != nil {
		return fmt.Errorf("checking %s: %w", name, err)
	}
	return nil
}

func checkTarGz(path string, t target) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("no %s in the archive", t.binary())
		}
		if err != nil {
			return err
		}
		if h.Name == t.binary() {
			return checkEntry(tr, h.FileInfo().Mode(), t)
		}
	}
}

func checkZip(path string, t target) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if zf.Name != t.binary() {
			continue
		}
		r, err := zf.Open()
		if err != nil {
			return err
		}
		defer r.Close()
		// zip's reader checks the entry's CRC when it reaches its end.
		return checkEntry(r, zf.Mode(), t)
	}
	return fmt.Errorf("no %s in the archive", t.binary())
}

func checkEntry(r io.Reader, mode os.FileMode, t target) error {
	if mode&0o111 == 0 && t.os != "windows" {
		return fmt.Errorf("%s is not executable (mode %v)", t.binary(), mode)
	}
	return exe.CheckStream(r, t.platform())
}
