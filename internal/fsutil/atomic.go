package fsutil

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// WriteAtomic writes path through a temporary file in the same directory
// and renames it into place, so a reader sees the old file or the whole new
// one, never a partial one. It returns the sha256 and size written.
func WriteAtomic(path string, fill func(io.Writer) error) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", 0, err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	counter := &countingWriter{w: io.MultiWriter(tmp, h)}
	if err := fill(counter); err != nil {
		return "", 0, err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return "", 0, err
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), counter.n, nil
}

// WriteFileAtomic is WriteAtomic of b.
func WriteFileAtomic(path string, b []byte) error {
	_, _, err := WriteAtomic(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
	return err
}

// FileSHA256 is the hex sha256 of a file's content.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
