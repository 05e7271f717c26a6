package archive

import (
	"archive/tar"
	"archive/zip"
	"compress/flate"
	"compress/gzip"
	"io"
	"time"
)

// entry is the one file inside an istioctl archive.
type entry struct {
	name    string
	size    int64
	modTime time.Time
	content io.Reader
}

func writeEntry(w io.Writer, f format, e entry) error {
	if f == zipFile {
		return writeZip(w, e)
	}
	return writeTarGz(w, e)
}

// level is the deflate level of every archive: Go's level 4 makes istioctl
// archives as small as upstream's (GNU gzip -6, within 1 %) in about half
// the CPU time of Go's default level 6, which saves 2 to 4 % more.
const level = 4

func writeTarGz(w io.Writer, e entry) error {
	// The zero gzip header carries no file name and no mtime, so equal
	// input gives equal bytes.
	gz, err := gzip.NewWriterLevel(w, level)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(gz)
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     e.name,
		Mode:     0o755,
		Size:     e.size,
		ModTime:  e.modTime,
		Format:   tar.FormatUSTAR, // no PAX records with atime/ctime
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if _, err := io.Copy(tw, e.content); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

func writeZip(w io.Writer, e entry) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) { return flate.NewWriter(w, level) })
	hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: zipTime(e.modTime)}
	hdr.SetMode(0o755)
	fw, err := zw.CreateHeader(hdr)
	if err != nil {
		return err
	}
	if _, err := io.Copy(fw, e.content); err != nil {
		return err
	}
	return zw.Close()
}

// zipEpoch is the earliest time a zip's MS-DOS date fields can hold.
var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// zipTime clamps t to zipEpoch: earlier times would wrap around in the
// MS-DOS fields. UTC keeps the fields independent of the host's zone.
func zipTime(t time.Time) time.Time {
	if t.Before(zipEpoch) {
		return zipEpoch
	}
	return t.UTC()
}
