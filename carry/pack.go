package carry

import (
	"archive/tar"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Pack writes dir as an uncompressed tarball to file (the layout's blobs
// are compressed already), appearing under its name only once complete.
func Pack(dir, file string) error {
	_, _, err := fsutil.WriteAtomic(file, func(w io.Writer) error { return writeTar(w, dir) })
	if err != nil {
		return fmt.Errorf("writing %s: %w", file, err)
	}
	return nil
}

func writeTar(w io.Writer, dir string) error {
	tw := tar.NewWriter(w)
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		return addFile(tw, dir, path, d)
	})
	if err != nil {
		return err
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, root, path string, d fs.DirEntry) error {
	info, err := d.Info()
	if err != nil {
		return err
	}
	h, err := tar.FileInfoHeader(info, "")
	if err != nil {
		return err
	}
	if h.Name, err = filepath.Rel(root, path); err != nil {
		return err
	}
	h.Uid, h.Gid, h.Uname, h.Gname = 0, 0, "", ""
	if err := tw.WriteHeader(h); err != nil || !info.Mode().IsRegular() {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}
