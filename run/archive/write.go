package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/istio-mab/istio-mab/internal/exe"
)

// File is one archive Write produced, for a summary.
type File struct {
	Path         string // the archive
	ChecksumPath string // its checksum file: Path + ".sha256"
	SHA256       string // hex digest of the archive
	Size         int64  // archive size in bytes
}

// Write writes each archive and its .sha256 file into dir and returns them in
// the order given. Every binary is first checked to be built for its declared
// platform, so a mislabeled one fails the call before anything is written.
// Each file appears under its final name only once complete; on a later
// failure, archives already finished stay in place.
func Write(ctx context.Context, dir string, archives []Archive, opts ...Option) ([]File, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, fmt.Errorf("writing istioctl archives: %w", err)
	}
	if err := preflight(archives); err != nil {
		return nil, fmt.Errorf("writing istioctl archives: %w", err)
	}
	files := make([]File, len(archives))
	first := firstOfSameContent(archives)
	err = forEachLimited(ctx, len(archives), o.parallel, func(ctx context.Context, i int) error {
		if first[i] != i {
			return nil
		}
		f, err := writeOrCopy(ctx, dir, archives[i], o)
		files[i] = f
		return err
	})
	for i := range archives {
		if err == nil && first[i] != i {
			files[i], err = copyArchive(ctx, files[first[i]], dir, archives[i].Name)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("writing istioctl archives: %w", err)
	}
	return files, nil
}

// firstOfSameContent maps each archive to the first one holding the same
// binary in the same format (osx is osx-amd64, win is win-amd64): their
// bytes are equal, so each is compressed once and copied.
func firstOfSameContent(archives []Archive) []int {
	first := make([]int, len(archives))
	seen := map[string]int{}
	for i, a := range archives {
		f, _ := formatOf(a.Name) // preflight checked it
		key := fmt.Sprintf("%d %s", f, a.Binary.Path)
		if j, ok := seen[key]; ok {
			first[i] = j
			continue
		}
		seen[key], first[i] = i, i
	}
	return first
}

// writeOrCopy copies the previous archive of the same name when it holds
// the same binary at the same time (the bytes Write would produce), and
// writes a new one otherwise.
func writeOrCopy(ctx context.Context, dir string, a Archive, o options) (File, error) {
	if o.previous != "" {
		prev := filepath.Join(o.previous, a.Name)
		if sum, ok := holdsSame(prev, a, o.modTime); ok {
			return copyArchive(ctx, File{Path: prev, SHA256: sum}, dir, a.Name)
		}
	}
	return writeOne(ctx, dir, a, o.modTime)
}

// holdsSame says whether the archive at path holds a's binary with modTime,
// and returns the archive's sha256. The entry's time and size are compared
// first: a new commit changes the time, and then nothing is decompressed.
func holdsSame(path string, a Archive, modTime time.Time) (string, bool) {
	f, err := a.validate()
	if err != nil {
		return "", false
	}
	bin, err := os.Stat(a.Binary.Path)
	if err != nil {
		return "", false
	}
	if f == zipFile {
		modTime = zipTime(modTime)
	}
	errDiffers := errors.New("differs")
	err = withEntry(f, path, func(r io.Reader, h entryHeader) error {
		if !h.modTime.Equal(modTime) || h.size != bin.Size() {
			return errDiffers
		}
		want, err := fsutil.FileSHA256(a.Binary.Path)
		if err != nil {
			return err
		}
		got := sha256.New()
		if _, err := io.Copy(got, r); err != nil {
			return err
		}
		if hex.EncodeToString(got.Sum(nil)) != want {
			return errDiffers
		}
		return nil
	})
	if err != nil {
		return "", false
	}
	sum, err := fsutil.FileSHA256(path)
	return sum, err == nil
}

// copyArchive writes from's archive again under name, with its own checksum file.
func copyArchive(ctx context.Context, from File, dir, name string) (File, error) {
	src, err := os.Open(from.Path)
	if err != nil {
		return File{}, fmt.Errorf("archive %s: %w", name, err)
	}
	defer src.Close()
	path := filepath.Join(dir, name)
	sum, size, err := fsutil.WriteAtomic(path, func(w io.Writer) error {
		_, err := io.Copy(w, &ctxReader{ctx: ctx, r: src})
		return err
	})
	if err == nil && sum != from.SHA256 {
		err = fmt.Errorf("copy of %s changed while written", filepath.Base(from.Path))
	}
	if err != nil {
		return File{}, fmt.Errorf("archive %s: %w", name, err)
	}
	return File{Path: path, SHA256: sum, Size: size}.withChecksum(name)
}

// preflight rejects bad names and mislabeled binaries before any writing.
func preflight(archives []Archive) error {
	if err := validateAll(archives); err != nil {
		return err
	}
	for _, a := range archives {
		if err := checkBinaryFile(a.Binary); err != nil {
			return fmt.Errorf("archive %s: %w", a.Name, err)
		}
	}
	return nil
}

func checkBinaryFile(b Binary) error {
	f, err := os.Open(b.Path)
	if err != nil {
		return fmt.Errorf("checking binary: %w", err)
	}
	defer f.Close()
	return checkBinary(f, b)
}

func checkBinary(r io.ReaderAt, b Binary) error {
	p := b.Platform
	if err := exe.Check(r, p); err != nil {
		return fmt.Errorf("checking binary %s: %w", b.Path, err)
	}
	return nil
}

func writeOne(ctx context.Context, dir string, a Archive, modTime time.Time) (File, error) {
	f, err := a.validate()
	if err != nil {
		return File{}, err
	}
	bin, err := os.Open(a.Binary.Path)
	if err != nil {
		return File{}, fmt.Errorf("archive %s: %w", a.Name, err)
	}
	defer bin.Close()
	// Check again on the open file: what gets archived is what was checked.
	if err := checkBinary(bin, a.Binary); err != nil {
		return File{}, fmt.Errorf("archive %s: %w", a.Name, err)
	}
	info, err := bin.Stat()
	if err != nil {
		return File{}, fmt.Errorf("archive %s: %w", a.Name, err)
	}
	e := entry{
		name:    entryName(f),
		size:    info.Size(),
		modTime: modTime,
		content: &ctxReader{ctx: ctx, r: io.NewSectionReader(bin, 0, info.Size())},
	}
	path := filepath.Join(dir, a.Name)
	sum, size, err := fsutil.WriteAtomic(path, func(w io.Writer) error { return writeEntry(w, f, e) })
	if err != nil {
		return File{}, fmt.Errorf("archive %s: %w", a.Name, err)
	}
	return File{Path: path, SHA256: sum, Size: size}.withChecksum(a.Name)
}

// withChecksum writes f's .sha256 file, naming the archive name.
func (f File) withChecksum(name string) (File, error) {
	f.ChecksumPath = f.Path + ".sha256"
	if _, _, err := fsutil.WriteAtomic(f.ChecksumPath, func(w io.Writer) error {
		_, err := io.WriteString(w, checksumLine(f.SHA256, name))
		return err
	}); err != nil {
		os.Remove(f.Path) // an archive without its checksum is not publishable
		return File{}, fmt.Errorf("archive %s: writing checksum: %w", name, err)
	}
	return f, nil
}

// ctxReader stops a long copy once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// forEachLimited runs fn for 0..n-1, at most limit at a time, and returns the
// first error; that error cancels the ctx the other calls get.
func forEachLimited(ctx context.Context, n, limit int, fn func(context.Context, int) error) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			if ctx.Err() != nil {
				return
			}
			if err := fn(ctx, i); err != nil {
				cancel(err)
			}
		})
	}
	wg.Wait()
	return context.Cause(ctx)
}
