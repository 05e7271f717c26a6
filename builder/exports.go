package builder

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/builder/compile"
	"github.com/istio-mab/istio-mab/builder/plan"
)

// exportDir is where b's compile is exported to the client. With
// Settings.ExportCache it is a directory kept between runs for b on its node,
// locked against other runs: BuildKit's local export skips a file the
// directory holds with the same size and nanosecond mtime, which is the file
// a cached compile exported before, so an unchanged binary is not sent again.
// Otherwise it is a fresh directory in the stage.
func (r runner) exportDir(b plan.Binary) (dir string, unlock func(), err error) {
	if r.s.ExportCache == "" || !canLock {
		dir, err := os.MkdirTemp(r.stage, "compiled-")
		return dir, func() {}, err
	}
	dir = filepath.Join(r.s.ExportCache, sanitize(b.Node), strings.TrimPrefix(filepath.Dir(compile.Path(b)), "/"), b.Name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", nil, err
	}
	unlock, err = lockDir(dir)
	return dir, unlock, err
}

// takeExport puts the exported file at path: moved out of a stage
// directory, linked (or copied) out of a kept one, which the next export
// replaces by rename, never in place.
func (r runner) takeExport(exported, path string) error {
	if r.s.ExportCache == "" || !canLock {
		return moveFile(exported, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Link(exported, path); err == nil {
		return nil
	}
	return copyExecutable(exported, path)
}

func copyExecutable(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	_, err = io.Copy(out, in)
	return errors.Join(err, out.Close())
}
