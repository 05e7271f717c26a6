package carry

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Unpack extracts a tarball written by Pack into dir, which must exist,
// reading it once as a stream: every header is checked (checkEntry) before
// its entry is written, so a path leaving dir, a link, a device, a FIFO or
// a sparse file is refused with nothing of it written; every write goes
// through an os.Root of dir, which cannot reach outside it, and creates a
// new file (a name given twice is refused). Stops when ctx is done.
func Unpack(ctx context.Context, file, dir string) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("reading bundle %s: %w", file, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("reading bundle %s: %w", file, err)
	}
	return unpackStream(ctx, file, f, st.Size(), dir)
}

// UnpackSplit is Unpack of a bundle PackSplit wrote as parts of file: the
// parts are checked (none missing or cut short) before any is read, then
// read one after the other as one stream, never joined on disk.
func UnpackSplit(ctx context.Context, file, dir string) error {
	parts, err := findParts(file)
	if err != nil {
		return fmt.Errorf("reading bundle %s: %w", file, err)
	}
	if len(parts) == 0 {
		return fmt.Errorf("reading bundle %s: no %s beside it", file, filepath.Base(PartName(file, 1, 3)))
	}
	if err := checkParts(file, parts); err != nil {
		return err
	}
	var size int64
	for _, p := range parts {
		size += p.size
	}
	r := &partsReader{parts: parts}
	defer r.Close()
	err = unpackStream(ctx, file+".part-*", r, size, dir)
	// tar reads no further than its end marker: reaching the end of the
	// last part without one means the bundle was cut short.
	if errors.Is(err, io.ErrUnexpectedEOF) || err == nil && r.ended {
		return errStopsShort(file, parts[len(parts)-1])
	}
	return err
}

// unpackStream extracts the tar r of size bytes, named name in messages.
func unpackStream(ctx context.Context, name string, r io.Reader, size int64, dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("unpacking %s: %w", name, err)
	}
	defer root.Close()
	u := unpacker{file: name, root: root, budget: size}
	return u.all(ctx, tar.NewReader(ctxReader{ctx, r}))
}

// unpacker writes a tar's checked entries under root.
type unpacker struct {
	file   string
	root   *os.Root
	budget int64 // bytes the entries may still declare
}

func (u *unpacker) all(ctx context.Context, tr *tar.Reader) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return u.readErr(ctx, err)
		}
		if u.budget, err = checkEntry(u.file, h, u.budget); err != nil {
			return err
		}
		if err := u.write(h, tr); err != nil {
			return u.readErr(ctx, err)
		}
	}
}

// readErr names the bundle; an interrupted read is the context's error.
func (u *unpacker) readErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fmt.Errorf("reading bundle %s: %w: carry it again", u.file, err)
}

// write creates a checked entry: a directory or a new regular file.
func (u *unpacker) write(h *tar.Header, r io.Reader) error {
	name := filepath.Clean(h.Name)
	if h.Typeflag == tar.TypeDir {
		return u.root.MkdirAll(name, 0o755)
	}
	if err := u.root.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return err
	}
	out, err := u.root.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, os.ErrExist) {
		return entryError(u.file, h.Name, "appears twice")
	}
	if err != nil {
		return err
	}
	if _, err := io.CopyN(out, r, h.Size); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// ctxReader stops reading once ctx is done, so an interrupt ends a long
// unpack between two reads.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
