package publish

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Untar extracts an OCI layout tarball (directories and regular files)
// into dir, refusing paths that leave it.
func Untar(file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", file, err)
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("reading %s: path %q leaves the layout", file, h.Name)
		}
		if err := extract(tr, h, filepath.Join(dir, h.Name)); err != nil {
			return fmt.Errorf("reading %s: %w", file, err)
		}
	}
}

func extract(r io.Reader, h *tar.Header, path string) error {
	switch h.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(path, 0o755)
	case tar.TypeReg:
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		out, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		if _, err := io.Copy(out, r); err != nil {
			out.Close()
			return err
		}
		return out.Close()
	}
	return nil // a layout holds only directories and files
}
