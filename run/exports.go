package run

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/compile"
)

// keepsExports says whether exports go to Settings.ExportCache, which
// needs directory locks: runs share it.
func (r runner) keepsExports() bool { return r.s.ExportCache != "" && canLock }

// exportDir is where b's compile is exported to the client: with
// keepsExports, a directory kept between runs for b on its node, locked
// against other runs, where ExportUnlessKept finds the file a cached compile
// exported before and sends nothing; otherwise a fresh directory in the stage.
func (r runner) exportDir(b plan.Binary) (dir string, unlock func(), err error) {
	if !r.keepsExports() {
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
	if !r.keepsExports() {
		return moveFile(exported, path)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.Link(exported, path); err == nil {
		return nil
	}
	return fsutil.CopyNew(exported, path, 0o755)
}
