package istiomab

import (
	"io"
	"slices"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/parse"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
)

// Defaults and names a command line shows in its help.
const (
	// DefaultBuildkitAddress is BuildKit's standard socket, the node used
	// when neither a node nor $BUILDKIT_HOST is given.
	DefaultBuildkitAddress = buildkit.DefaultAddress
	// DefaultGoProxy serves the module download when neither a proxy nor
	// $GOPROXY is given.
	DefaultGoProxy = plan.DefaultGoProxy
	// ContentsFile lists what a layout holds, at its root.
	ContentsFile = carry.ContentsFile
)

// SupportedPlatforms are the image platforms Istio's Dockerfiles and Envoy
// builds exist for.
func SupportedPlatforms() []string { return parse.Supported() }

// ProgressModes are the modes WithProgress accepts, as buildx's --progress.
func ProgressModes() []string { return slices.Clone(buildkit.Modes) }

// ReleaseLines are the Istio release lines a recipe exists for, oldest
// first, e.g. "1.22".
func ReleaseLines() ([]string, error) {
	all, err := recipes.Load()
	var out []string
	for _, r := range all {
		out = append(out, r.Line)
	}
	return out, err
}

// ImageNames are the images the newest release line builds.
func ImageNames() []string {
	all, err := recipes.Load()
	if err != nil || len(all) == 0 {
		return nil
	}
	return recipes.ImageNames(all[len(all)-1])
}

// ParseBuildPlatform reads the platform Plan plans a directory source's
// compiles on, OS/ARCH; empty is this machine's. An error is bad input.
func ParseBuildPlatform(s string) (ocispecs.Platform, error) {
	pl, err := parse.BuildPlatform(s)
	return pl, failure.Usage(err)
}

// Secrets are the credentials in the request's URLs (user info, query),
// which anything printed about it must scrub (plan.Scrub).
func (r BuildRequest) Secrets() []string { return plan.Secrets(r.Options.SecretURLs()...) }

// WriteLock writes l as BuildRequest.Locked's file (BuildFlags' LockPath) reads it.
func WriteLock(w io.Writer, l lock.Lock) error { return lock.Write(w, l) }
