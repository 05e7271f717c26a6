package istiomab

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/archive"
)

// keptReleases is how many releases' archives the archive cache keeps.
const keptReleases = 8

// archiveCache keeps the istioctl archives of the last releases built, by
// the inputs digest their lists record, so a run that finds its lists up to
// date still writes its archives into --dist without compiling istioctl.
type archiveCache string

func (c archiveCache) dir(inputs string) string {
	return filepath.Join(string(c), strings.TrimPrefix(inputs, "sha256:"))
}

// restore copies the archives p names from the cache into dist, each with
// its .sha256 and checked against it; false when one is missing or damaged.
func (c archiveCache) restore(inputs, dist string, p plan.Plan) ([]archive.File, bool, error) {
	if dist == "" || len(p.Archives) == 0 {
		return nil, true, nil
	}
	if c == "" || inputs == "" {
		return nil, false, nil
	}
	var out []archive.File
	for _, a := range p.Archives {
		f, err := restoreOne(filepath.Join(c.dir(inputs), a.Name), filepath.Join(dist, a.Name))
		if errors.Is(err, errNotKept) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, fmt.Errorf("writing %s from the archive cache: %w", a.Name, err)
		}
		out = append(out, f)
	}
	return out, true, nil
}

var errNotKept = errors.New("not in the archive cache")

func restoreOne(src, dst string) (archive.File, error) {
	line, err := os.ReadFile(src + ".sha256")
	if err != nil {
		return archive.File{}, errNotKept
	}
	in, err := os.Open(src)
	if err != nil {
		return archive.File{}, errNotKept
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return archive.File{}, err
	}
	sum, size, err := fsutil.WriteAtomic(dst, func(w io.Writer) error { _, err := io.Copy(w, in); return err })
	if err != nil {
		return archive.File{}, err
	}
	if want, _, _ := strings.Cut(string(line), " "); want != sum {
		os.Remove(dst)
		return archive.File{}, errNotKept // damaged: build it again
	}
	if err := fsutil.WriteFileAtomic(dst+".sha256", line); err != nil {
		return archive.File{}, err
	}
	return archive.File{Path: dst, ChecksumPath: dst + ".sha256", SHA256: sum, Size: size}, nil
}

// keep copies a run's archives into the cache under inputs, and drops the
// oldest releases beyond keptReleases.
func (c archiveCache) keep(inputs string, files []archive.File) error {
	if c == "" || inputs == "" || len(files) == 0 {
		return nil
	}
	if err := os.MkdirAll(string(c), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(string(c), ".keep-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	for _, f := range files {
		for _, p := range []string{f.Path, f.ChecksumPath} {
			if err := fsutil.CopyNew(p, filepath.Join(tmp, filepath.Base(p)), 0o644); err != nil {
				return err
			}
		}
	}
	os.RemoveAll(c.dir(inputs))
	if err := os.Rename(tmp, c.dir(inputs)); err != nil {
		return err
	}
	return c.prune()
}

func (c archiveCache) prune() error {
	entries, err := os.ReadDir(string(c))
	if err != nil {
		return err
	}
	type kept struct {
		name string
		mod  int64
	}
	var all []kept
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() && !strings.HasPrefix(e.Name(), ".") {
			all = append(all, kept{e.Name(), info.ModTime().UnixNano()})
		}
	}
	slices.SortFunc(all, func(a, b kept) int { return cmp.Compare(b.mod, a.mod) })
	for _, k := range all[min(len(all), keptReleases):] {
		os.RemoveAll(filepath.Join(string(c), k.name))
	}
	return nil
}
