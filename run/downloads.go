package run

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/moby/buildkit/client"

	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/image"
)

// checkedSums are the sha256 of the downloads and files a run checked, by
// URL or staged path: a layout's lock records them, fetching nothing again.
type checkedSums struct {
	mu sync.Mutex
	m  map[string]string
}

func newCheckedSums() *checkedSums { return &checkedSums{m: map[string]string{}} }

func (c *checkedSums) hash(key, path string) error {
	sum, err := fsutil.FileSHA256(path)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[key] = sum
	return nil
}

func (c *checkedSums) all() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.m)
}

// wasmMagic starts every WebAssembly binary module.
var wasmMagic = []byte("\x00asm")

// wasmDownload is one wasm filter and the node that builds its first image.
type wasmDownload struct {
	d    plan.Download
	node string
}

// downloads are the wasm filters of p, once each.
func downloads(p plan.Plan) []wasmDownload {
	var out []wasmDownload
	seen := map[string]bool{}
	for _, img := range p.Images {
		for _, d := range img.Wasm {
			if !seen[d.URL] && len(img.Platforms) > 0 {
				seen[d.URL] = true
				out = append(out, wasmDownload{d, img.Platforms[0].Node})
			}
		}
	}
	return out
}

// checkDownload fetches a wasm filter on the node that builds its images,
// with the same op the image context uses (so BuildKit fetches it once),
// checks it is a WebAssembly module and records its sha256.
func (r runner) checkDownload(ctx context.Context, i int, w wasmDownload) error {
	def, err := image.Download(w.d).Marshal(ctx)
	if err != nil {
		return err
	}
	dir := filepath.Join(r.stage, "downloads", strconv.Itoa(i))
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dir}}}
	if _, err := r.solvers[w.node].Solve(ctx, def, opt, nil); err != nil {
		return fmt.Errorf("fetching %s: %w", plan.Redact(w.d.URL), err)
	}
	file := filepath.Join(dir, w.d.Name)
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !bytes.HasPrefix(b, wasmMagic) {
		return fmt.Errorf("%s (%s) is not a WebAssembly module: the URL served something else", w.d.Name, plan.Redact(w.d.URL))
	}
	return r.sums.hash(w.d.URL, file)
}
