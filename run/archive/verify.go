package archive

import (
	"archive/tar"
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/exe"
	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxBinarySize bounds the binary an archive may hold; istioctl is around
// 100 MiB.
const maxBinarySize = 1 << 30

// VerifyDir checks archives already written to dir: each .sha256 file matches
// its archive, and each archive holds exactly one istioctl built for the
// archive's platform. Binary paths are not read. An archive with the bytes
// of one already checked for the same platform (osx is osx-amd64) has its
// checksum checked only. It reports every broken archive, not only the first.
func VerifyDir(ctx context.Context, dir string, archives []Archive) error {
	if err := validateAll(archives); err != nil {
		return fmt.Errorf("verifying istioctl archives: %w", err)
	}
	var errs []error
	checked := map[string]bool{} // sha256 and platform
	for _, a := range archives {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("verifying istioctl archives: %w", err)
		}
		sum, err := verifyOne(filepath.Join(dir, a.Name), a.Binary.Platform, checked)
		if err != nil {
			errs = append(errs, err)
		}
		checked[sum+" "+platforms.Format(a.Binary.Platform)] = err == nil
	}
	return errors.Join(errs...)
}

// VerifyFile checks one archive at path and its path.sha256 file, as VerifyDir does.
func VerifyFile(path string, p ocispecs.Platform) error {
	_, err := verifyOne(path, p, nil)
	return err
}

// verifyOne checks path's checksum file, and its content unless checked
// holds its sha256 and platform; it returns the archive's sha256.
func verifyOne(path string, p ocispecs.Platform, checked map[string]bool) (string, error) {
	name := filepath.Base(path)
	f, err := Archive{Name: name, Binary: Binary{Platform: p}}.validate()
	var sum string
	if err == nil {
		sum, err = verifyChecksum(path)
	}
	if err == nil && !checked[sum+" "+platforms.Format(p)] {
		err = verifyContent(path, f, p)
	}
	if err != nil {
		return "", fmt.Errorf("verifying %s: %w", name, err)
	}
	return sum, nil
}

func verifyChecksum(path string) (string, error) {
	sum, err := fsutil.FileSHA256(path)
	if err != nil {
		return "", err
	}
	got, err := os.ReadFile(path + ".sha256")
	if err != nil {
		return "", err
	}
	if want := checksumLine(sum, filepath.Base(path)); string(got) != want {
		return "", fmt.Errorf("checksum file holds %q, want %q", got, want)
	}
	return sum, nil
}

func verifyContent(path string, f format, p ocispecs.Platform) error {
	return withEntry(f, path, func(r io.Reader, _ entryHeader) error {
		if err := exe.CheckStream(r, p); err != nil {
			return fmt.Errorf("checking binary %s: %w", entryName(f), err)
		}
		return nil
	})
}

// entryHeader is what an archive says of its entry before its content.
type entryHeader struct {
	modTime time.Time
	size    int64
}

// withEntry calls fn on the content and header of the only entry of the
// archive at path, in format f.
func withEntry(f format, path string, fn func(io.Reader, entryHeader) error) error {
	if f == zipFile {
		return withZipEntry(path, entryName(f), fn)
	}
	return withTarGzEntry(path, entryName(f), fn)
}

// withTarGzEntry calls fn on the content and header of the tarball's only
// entry, which must be an executable regular file called want.
func withTarGzEntry(path, want string, fn func(io.Reader, entryHeader) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer file.Close()
	gz, err := gzip.NewReader(file)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err == io.EOF {
		return errors.New("archive is empty")
	}
	if err != nil {
		return err
	}
	if err := checkEntry(hdr.Name, want, hdr.Typeflag == tar.TypeReg, hdr.Size); err != nil {
		return err
	}
	if hdr.Mode&0o777 != 0o755 {
		return fmt.Errorf("entry %s has mode %o, want 755", hdr.Name, hdr.Mode&0o777)
	}
	if err := fn(tr, entryHeader{hdr.ModTime, hdr.Size}); err != nil {
		return err
	}
	if _, err := tr.Next(); err != io.EOF {
		return fmt.Errorf("archive holds more than one entry (next: %v)", err)
	}
	return nil
}

// withZipEntry calls fn on the content and header of the zip's only entry,
// a regular file called want; fn must read it to the end, where the zip
// reader checks the CRC.
func withZipEntry(path, want string, fn func(io.Reader, entryHeader) error) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	zr.RegisterDecompressor(zip.Deflate, flate.NewReader)
	if len(zr.File) != 1 {
		return fmt.Errorf("archive holds %d entries, want 1", len(zr.File))
	}
	zf := zr.File[0]
	if err := checkEntry(zf.Name, want, zf.Mode().IsRegular(), int64(zf.UncompressedSize64)); err != nil {
		return err
	}
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	return fn(rc, entryHeader{zf.Modified, int64(zf.UncompressedSize64)})
}

func checkEntry(name, want string, regular bool, size int64) error {
	switch {
	case name != want:
		return fmt.Errorf("archive holds %q, want %q", name, want)
	case !regular:
		return fmt.Errorf("entry %s is not a regular file", name)
	case size < 0 || size > maxBinarySize:
		return fmt.Errorf("entry %s has implausible size %d", name, size)
	}
	return nil
}
