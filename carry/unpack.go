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
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("unpacking %s: %w", file, err)
	}
	defer root.Close()
	u := unpacker{file: file, root: root, budget: st.Size()}
	return u.all(ctx, tar.NewReader(ctxReader{ctx, f}))
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
