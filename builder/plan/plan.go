package plan

import (
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Plan is a fully resolved build.
type Plan struct {
	Version       string
	Hub           string
	Source        Source
	Facts         Facts
	GoImage       string
	BuildPlatform ocispecs.Platform
	LinknameFix   bool
	Binaries      []Binary
	Images        []Image
	Archives      []Archive
	Push          bool
	MediaTypes    MediaTypes // of every image and list
	// Nodes are the BuildKit nodes the steps are assigned to (see Assign),
	// the default node first; empty until assigned.
	Nodes []Node
}

// Source is where the Istio tree comes from: a git URL at a tag, or a directory.
type Source struct {
	GitURL string
	Ref    string // refs/tags/<version>
	Dir    string
}

// Facts are read from the source tree itself.
type Facts struct {
	Version     string
	Commit      string
	CommitTime  int64 // unix seconds; SOURCE_DATE_EPOCH for reproducible images
	ProxySHA    string
	BaseVersion string
	GoSum       string // sha256 of go.sum; empty when the tree has none
	// Dockerfiles are what each Dockerfile of the tree says, by path.
	Dockerfiles map[string]Dockerfile
}

// Dockerfile is what a plan needs to know of one of the source's Dockerfiles.
type Dockerfile struct {
	BaseImages  []string          // every stage's FROM, ARGs expanded; a variant needs only what Stages reach
	Copies      []string          // build-context paths it copies, unexpanded
	ArgDefaults map[string]string // ARG defaults, for expanding Copies
	// Stages and MetaArgs let the plan expand each FROM with a variant's
	// build args and follow only the stages that variant's target reaches.
	Stages   []Stage
	MetaArgs map[string]string // defaults of the ARGs before the first FROM
}

// Stage is one FROM of a Dockerfile, in order, ARGs unexpanded.
type Stage struct {
	Name     string   // the "AS" name, lowercased; empty when unnamed
	From     string   // base: an image reference or an earlier stage's name
	CopyFrom []string // COPY --from values: stage names, indexes or image references
}

// Binary is one Go main package compiled for one platform on the build platform.
type Binary struct {
	Name     string
	Package  string
	Tags     []string
	Platform ocispecs.Platform
	LDFlags  string
	// Node compiles it on its native BuildPlatform in GoImage (pinned by
	// Assign and Resolve); New sets the plan's defaults.
	Node          string
	BuildPlatform ocispecs.Platform
	GoImage       string
}

// Image is one image variant for all its platforms, published as one list.
type Image struct {
	Name       string // pilot, proxyv2
	Variant    string // debug, distroless
	Repository string // <hub>/<name>
	Tags       []string
	Dockerfile string
	Platforms  []ImagePlatform
	BuildArgs  map[string]string
	// NamedContexts redirects the Dockerfile's base images, e.g.
	// gcr.io/istio-release/base:1.22-dev -> docker-image://mirror/base:1.22-dev.
	NamedContexts map[string]string
	Files         map[string]string // context name -> path in source
	Wasm          []Download
}

// ImagePlatform is what goes into one platform's build context.
type ImagePlatform struct {
	Platform ocispecs.Platform
	Binaries []string // names; the compiled binary for this platform
	Envoy    *Envoy
	Node     string // the BuildKit node that builds it; set by Assign
	// Bases are the NamedContexts as this platform's node pinned them
	// (docker-image://REF@DIGEST), so a moving tag cannot change the build;
	// set by Resolve.
	Bases map[string]string
}

// Envoy is where one platform's Envoy binary comes from.
type Envoy struct {
	Kind    EnvoyKind
	Ref     string // URL, absolute file path, or image reference
	Tarball bool   // URL or file is a tar.gz holding usr/local/bin/envoy, else the binary itself
	SHA256  string // optional pin of what Ref names: the download, the file, or the image's binary
	// Supplied is Ref as the user gave it, when the run has since replaced
	// Ref by a staged copy or a digest; messages show it.
	Supplied string
}

// Name is how messages refer to the Envoy.
func (e Envoy) Name() string {
	if e.Supplied != "" {
		return Redact(e.Supplied)
	}
	return Redact(e.Ref)
}

// EnvoyKind says how an Envoy is supplied.
type EnvoyKind string

// The forms --envoy accepts; upstream's builds are URLs.
const (
	EnvoyURL   EnvoyKind = "url"
	EnvoyFile  EnvoyKind = "file"
	EnvoyImage EnvoyKind = "image"
)

// Download is a file fetched over HTTP(S) by BuildKit.
type Download struct {
	URL    string
	Name   string // file name in the build context
	SHA256 string // BuildKit refuses a download with another sha256; optional (--lock)
}

// Archive is one istioctl release archive.
type Archive struct {
	Name     string
	Platform ocispecs.Platform
}
