package carry

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// carryAgain is what to do about a bundle import refuses.
const carryAgain = "nothing was pushed; carry the bundle again as istio-mab wrote it (build --output, export --to)"

// A layout as istio-mab writes it holds only directories and regular files
// under relative paths. Anything else in a bundle (a path leaving it, a
// link, a device, a FIFO, a sparse file) was put there by another hand and
// is refused before it is written, whatever it points at.

// entryError is the one-line refusal of a bundle's entry: bad input, exit 2.
func entryError(bundle, entry, what string) error {
	return failure.Usage(fmt.Errorf("reading bundle %s: entry %q %s: %s", bundle, entry, what, carryAgain))
}

// checkEntry refuses a tar header that Unpack must not write: a path that
// is absolute or leaves the bundle, any type but a directory or a regular
// file, a sparse file, or data beyond the budget (the bytes the archive has
// left: a tar of regular files never expands past its own size). It
// returns the budget left.
func checkEntry(bundle string, h *tar.Header, budget int64) (int64, error) {
	if what := pathProblem(h.Name); what != "" {
		return budget, entryError(bundle, h.Name, what)
	}
	if what := typeProblem(h); what != "" {
		return budget, entryError(bundle, h.Name, what)
	}
	if h.Size < 0 || h.Size > budget {
		return budget, entryError(bundle, h.Name, fmt.Sprintf("declares %d bytes, more than the %d left in the archive: a tar that expands past its own size", h.Size, budget))
	}
	return budget - h.Size, nil
}

// pathProblem says why name is not a path inside the bundle, or "".
func pathProblem(name string) string {
	switch {
	case strings.HasPrefix(name, "/") || filepath.IsAbs(name):
		return "is an absolute path"
	case !filepath.IsLocal(name):
		return "leaves the bundle"
	}
	return ""
}

// typeProblem says why h is no directory or regular file, or "".
func typeProblem(h *tar.Header) string {
	for k := range h.PAXRecords {
		if strings.HasPrefix(k, "GNU.sparse.") {
			return fmt.Sprintf("is a sparse file of %d bytes: a tar that expands past its own size", h.Size)
		}
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeDir:
		return ""
	case tar.TypeSymlink:
		return fmt.Sprintf("is a symbolic link to %q", h.Linkname)
	case tar.TypeLink:
		return fmt.Sprintf("is a hard link to %q", h.Linkname)
	case tar.TypeChar, tar.TypeBlock:
		return fmt.Sprintf("is a device file (%d, %d)", h.Devmajor, h.Devminor)
	case tar.TypeFifo:
		return "is a FIFO"
	case tar.TypeGNUSparse:
		return fmt.Sprintf("is a sparse file of %d bytes: a tar that expands past its own size", h.Size)
	}
	return fmt.Sprintf("is of tar type %q", h.Typeflag)
}

// checkTree refuses a layout directory holding anything but directories
// and regular files with one name each: a symbolic link, a second name of
// a file (a hard link, whose other name may be outside), a device, a FIFO
// or a socket. The walk does not follow links; name is the layout as the
// user gave it.
func checkTree(dir, name string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == dir {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if what := fileProblem(path, d); what != "" {
			return entryError(name, rel, what)
		}
		return nil
	})
}

// fileProblem says why the file at path is no directory or regular file
// with one name, or "".
func fileProblem(path string, d fs.DirEntry) string {
	t := d.Type()
	switch {
	case t.IsDir():
		return ""
	case t&fs.ModeSymlink != 0:
		to, _ := os.Readlink(path)
		return fmt.Sprintf("is a symbolic link to %q", to)
	case t&fs.ModeDevice != 0:
		return "is a device file"
	case t&fs.ModeNamedPipe != 0:
		return "is a FIFO"
	case !t.IsRegular():
		return fmt.Sprintf("is a %s, not a regular file", t)
	}
	info, err := d.Info()
	if err != nil {
		return fmt.Sprintf("cannot be read: %v", err)
	}
	if n := links(info); n > 1 {
		return fmt.Sprintf("is a hard link (%d names), whose other names may be outside the bundle", n)
	}
	return ""
}
