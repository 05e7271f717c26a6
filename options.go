package istiomab

import (
	"io"

	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run"
)

// Option changes how a call runs, not what it builds.
type Option func(*settings)

type settings struct {
	progress     io.Writer    // BuildKit's and istio-mab's steps; default io.Discard
	progressMode string       // auto, tty, plain, rawjson or quiet; default quiet
	warn         func(string) // what deserves the user's attention; default ignored
	exportCache  string       // where exported binaries are kept per node; default none
	archives     archiveCache // where the last releases' istioctl archives are kept; default none
	solvers      map[string]node
}

// WithProgress shows every step on w in mode (auto, tty, plain, rawjson or
// quiet), as buildx's --progress does. Default: nothing is shown.
func WithProgress(w io.Writer, mode string) Option {
	return func(s *settings) { s.progress, s.progressMode = w, mode }
}

// WithWarnings calls warn with each warning (a recipe older than the
// version, a source that disagrees with its recipe). Default: none shown.
func WithWarnings(warn func(string)) Option {
	return func(s *settings) { s.warn = warn }
}

// WithExportCache keeps each node's last exported binaries in dir, so an
// unchanged istioctl is not sent to the client again. Default: none kept.
func WithExportCache(dir string) Option {
	return func(s *settings) { s.exportCache = dir }
}

// WithArchiveCache keeps the istioctl archives of the last releases built
// in dir, so a run whose lists are up to date still writes them into its
// --dist without compiling. Default: none kept (istioctl is compiled).
func WithArchiveCache(dir string) Option {
	return func(s *settings) { s.archives = archiveCache(dir) }
}

func newSettings(opts []Option) settings {
	s := settings{progress: io.Discard, progressMode: "quiet", warn: func(string) {}}
	for _, o := range opts {
		o(&s)
	}
	return s
}

// node is one BuildKit node as both Resolve and Run use it;
// *buildkit.Client implements it, and tests pass a fake (withNodes).
type node interface {
	run.Solver
	resolve.Node
}

// withNodes runs on these nodes, by address, instead of dialling them.
func withNodes(nodes map[string]node) Option {
	return func(s *settings) { s.solvers = nodes }
}
