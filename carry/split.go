package carry

import (
	"fmt"
	"os"
	"strconv"
)

// PartName is part n (from 1) of the bundle file split into parts: FILE.part-001,
// FILE.part-002, ..., as split -d -a 3 --numeric-suffixes=1 FILE FILE.part-
// names them, so cat FILE.part-* > FILE joins them; width is the digits,
// 3 unless more than 999 parts need more.
func PartName(file string, n, width int) string {
	return fmt.Sprintf("%s.part-%0*d", file, width, n)
}

func partWidth(count int) int { return max(3, len(strconv.Itoa(count))) }

// PackSplit writes dir as Pack does, into parts of at most size bytes
// each; the last part is always shorter than the others (the tar is padded
// with a zero block when it would end on a boundary), so an import can
// tell a missing last part. The parts appear under their names only once
// all are written, replacing file and any earlier parts of it.
func PackSplit(dir, file string, size int64) error {
	w := &partWriter{file: file, size: size}
	err := writeTar(w, dir)
	if err == nil {
		err = w.finish()
	}
	if err != nil {
		w.remove()
		return fmt.Errorf("writing %s.part-*: %w", file, err)
	}
	return nil
}

// partWriter cuts a stream into temporary part files of size bytes.
type partWriter struct {
	file  string
	size  int64
	cur   *os.File
	left  int64 // bytes cur may still take
	total int64
	tmp   []string
}

func (w *partWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		if w.cur == nil || w.left == 0 {
			if err := w.next(); err != nil {
				return written, err
			}
		}
		n, err := w.cur.Write(p[:min(int64(len(p)), w.left)])
		written, w.left, w.total, p = written+n, w.left-int64(n), w.total+int64(n), p[n:]
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

func (w *partWriter) next() error {
	if err := w.closeCurrent(); err != nil {
		return err
	}
	name := fmt.Sprintf("%s.part-%d.partial", w.file, len(w.tmp)+1)
	f, err := os.OpenFile(name, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	w.cur, w.left, w.tmp = f, w.size, append(w.tmp, name)
	return nil
}

func (w *partWriter) closeCurrent() error {
	if w.cur == nil {
		return nil
	}
	f := w.cur
	w.cur = nil
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// finish pads a tar ending on a part boundary, then renames the parts
// into place once earlier parts of the same file are gone.
func (w *partWriter) finish() error {
	if w.total%w.size == 0 {
		if _, err := w.Write(make([]byte, 512)); err != nil {
			return err
		}
	}
	if err := w.closeCurrent(); err != nil {
		return err
	}
	old, err := findParts(w.file)
	if err != nil {
		return err
	}
	for _, p := range old {
		if err := os.Remove(p.name); err != nil {
			return err
		}
	}
	// An earlier whole FILE would be what import --from FILE reads.
	if err := os.Remove(w.file); err != nil && !os.IsNotExist(err) {
		return err
	}
	width := partWidth(len(w.tmp))
	for i, t := range w.tmp {
		if err := os.Rename(t, PartName(w.file, i+1, width)); err != nil {
			return err
		}
	}
	w.tmp = nil
	return nil
}

// remove deletes the temporary parts of a failed write.
func (w *partWriter) remove() {
	w.closeCurrent()
	for _, t := range w.tmp {
		os.Remove(t)
	}
}
