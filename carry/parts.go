package carry

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// part is one file of a split bundle.
type part struct {
	name string
	n    int
	size int64
}

var partSuffix = regexp.MustCompile(`^\.part-([0-9]+)$`)

// splitBase is the bundle a part name belongs to: FILE for FILE.part-002.
func splitBase(name string) (string, bool) {
	i := strings.LastIndex(name, ".part-")
	if i < 0 || !partSuffix.MatchString(name[i:]) {
		return name, false
	}
	return name[:i], true
}

// findParts lists the parts of file beside it, in order; none is no error.
func findParts(file string) ([]part, error) {
	dir, base := filepath.Split(file)
	entries, err := os.ReadDir(filepath.Clean(dir + "."))
	if err != nil {
		return nil, err
	}
	var parts []part
	for _, e := range entries {
		m := partSuffix.FindStringSubmatch(strings.TrimPrefix(e.Name(), base))
		if !strings.HasPrefix(e.Name(), base) || m == nil || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(m[1])
		if err != nil {
			return nil, fmt.Errorf("%s: a part number too large", e.Name())
		}
		parts = append(parts, part{name: filepath.Join(dir, e.Name()), n: n, size: info.Size()})
	}
	slices.SortFunc(parts, func(a, b part) int { return a.n - b.n })
	return parts, nil
}

// checkParts refuses a split bundle with a part missing or cut short,
// before anything is read: parts 1 to n, every one but the last of the
// same size, the last shorter (PackSplit pads it so).
func checkParts(file string, parts []part) error {
	width := len(filepath.Base(parts[0].name)) - len(filepath.Base(file)) - len(".part-")
	for i, p := range parts {
		if p.n != i+1 {
			return fmt.Errorf("%s is missing: carry every part of the bundle", PartName(file, i+1, width))
		}
	}
	full, last := parts[0].size, parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		if p.size != full {
			return fmt.Errorf("%s holds %d bytes, %s %d: a part was cut short or changed; carry it again", p.name, p.size, parts[0].name, full)
		}
	}
	switch {
	case len(parts) > 1 && last.size == full:
		return fmt.Errorf("%s is missing (%s is as long as the parts before it, so not the last): carry every part of the bundle", PartName(file, last.n+1, width), last.name)
	case len(parts) > 1 && last.size > full:
		return fmt.Errorf("%s holds %d bytes, more than the %d of each part before it: carry the bundle again", last.name, last.size, full)
	}
	if ok, err := endsWithMarker(parts); err != nil || !ok {
		return errors.Join(err, errStopsShort(file, last))
	}
	return nil
}

func errStopsShort(file string, last part) error {
	return fmt.Errorf("reading bundle %s: the archive stops short at the end of %s: a part after it is missing or one was cut short; carry every part again", file, last.name)
}

// endsWithMarker says whether the parts end with a tar's end marker, two
// zero blocks, as every tar PackSplit writes does.
func endsWithMarker(parts []part) (bool, error) {
	tail := make([]byte, 2*512)
	need := len(tail)
	for i := len(parts) - 1; i >= 0 && need > 0; i-- {
		n := min(int64(need), parts[i].size)
		f, err := os.Open(parts[i].name)
		if err != nil {
			return false, err
		}
		_, err = f.ReadAt(tail[need-int(n):need], parts[i].size-n)
		f.Close()
		if err != nil {
			return false, err
		}
		need -= int(n)
	}
	return need == 0 && !slices.ContainsFunc(tail, func(b byte) bool { return b != 0 }), nil
}

// partsReader reads parts one after the other as one stream, holding one
// file open at a time.
type partsReader struct {
	parts []part
	cur   *os.File
	ended bool // io.EOF was returned
}

func (r *partsReader) Read(p []byte) (int, error) {
	for {
		if r.cur == nil {
			if len(r.parts) == 0 {
				r.ended = true
				return 0, io.EOF
			}
			f, err := os.Open(r.parts[0].name)
			if err != nil {
				return 0, err
			}
			r.cur, r.parts = f, r.parts[1:]
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (r *partsReader) Close() error {
	if r.cur == nil {
		return nil
	}
	return r.cur.Close()
}
