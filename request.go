package istiomab

import (
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/parse"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/sign"
)

// BuildRequest is one rebuild of an Istio release: what to build (Options)
// and how (nodes, registries, outputs).
type BuildRequest struct {
	Options plan.Options
	// Go chooses the Go builder image when Options.GoImage is empty:
	// recipes.GoMinor (default), recipes.GoUpstream, or a Go version.
	Go string
	// Nodes are the BuildKit nodes, the default first (For empty); the
	// others build the image platforms named in For.
	Nodes      []Node
	Registries Registries
	// Dist receives the istioctl archives; empty: none are written.
	Dist        string
	Jobs        int // image builds at once; default 4
	CompileJobs int // compiles at once per node; default 2
	// Force builds even when every list under its tags was built from the
	// same inputs; otherwise such a run stops at once (BuildResult.UpToDate).
	Force bool
	// DryRun resolves the plan and builds nothing.
	DryRun             bool
	CacheFrom, CacheTo []client.CacheOptionsEntry
	// Output writes an OCI layout (or a tarball of one) instead of pushing.
	Output Output
	// Locked holds the build to the inputs of an istio-mab lock file.
	Locked *lock.Lock
	// Signer signs every list, platform manifest and attestation pushed,
	// before any tag moves (cosign's tag scheme); nil: nothing is signed.
	Signer *sign.Signer
}

// Node is a BuildKit node: its address (unix://, tcp://, kube-pod://, ...),
// its mTLS files, and the image platforms it builds (none: the default).
type Node struct {
	Address string
	TLS     NodeTLS
	For     []ocispecs.Platform
}

// NodeTLS are the files of a node's mTLS connection; empty for none.
type NodeTLS = buildkit.TLS

// Registries say how istio-mab's own registry calls reach registries:
// credentials always come from the docker config and its helpers.
type Registries struct {
	Insecure []string // hosts reached over plain HTTP (or unverified TLS)
	CAFiles  []string // PEM files of private CAs to trust besides the system's
}

// Output is an OCI layout written instead of a push; zero: push.
type Output struct {
	LayoutDir string // the layout directory
	TarFile   string // when set, the layout is packed into this tarball
	SplitSize int64  // when set, the tarball is FILE.part-001, -002, ... of at most this many bytes each
	// Since, when set, is a previous bundle (its directory, tarball or
	// contents file): the layout is then a delta on it, leaving out the
	// layers it carried (docs/airgap.md#deltas).
	Since string
}

func (o Output) set() bool { return o.LayoutDir != "" }

// outputOf is the layout of a parsed --output or --to, a delta on since
// when set.
func outputOf(o parse.Output, since string) Output {
	return Output{LayoutDir: o.LayoutDir, TarFile: o.TarFile, SplitSize: o.SplitSize, Since: since}
}

// registryAccess is the checked way to reach registries.
type registryAccess = *registry.Access

func (r Registries) access() (*registry.Access, error) {
	opts := []registry.Option{registry.WithInsecure(r.Insecure...), registry.WithUserAgent("istio-mab")}
	for _, ca := range r.CAFiles {
		opts = append(opts, registry.WithRootCAs(ca))
	}
	return registry.New(opts...)
}
