package plan

import (
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Plan is a fully resolved build.
type Plan struct {
	Version       string            `json:"version"`
	Hub           string            `json:"hub"`
	Source        Source            `json:"source"`
	Facts         Facts             `json:"facts"`
	GoImage       string            `json:"goImage"`
	BuildPlatform ocispecs.Platform `json:"buildPlatform"`
	LinknameFix   bool              `json:"linknameFix"`
	Binaries      []Binary          `json:"binaries,omitempty"`
	Images        []Image           `json:"images,omitempty"`
	Archives      []Archive         `json:"archives,omitempty"`
	Push          bool              `json:"push"`
	Go            Go                `json:"go"`
	Inputs        Inputs            `json:"inputs"`
	MediaTypes    MediaTypes        `json:"mediaTypes"` // of every image and list
	Attest        Attest            `json:"attest,omitzero"`
	// Nodes are the BuildKit nodes the steps are assigned to (see Assign),
	// the default node first; empty until assigned.
	Nodes []Node `json:"nodes,omitempty"`
	// Warnings say where the source and the recipe disagree (FromTree).
	Warnings []string `json:"warnings,omitempty"`
}

// Source is where the Istio tree comes from: a git URL at a tag, or a directory.
type Source struct {
	GitURL string `json:"gitURL"`
	Ref    string `json:"ref"` // refs/tags/<version>
	Dir    string `json:"dir"`
}

// Facts are read from the source tree itself.
type Facts struct {
	Version    string `json:"version"`
	Commit     string `json:"commit"`
	CommitTime int64  `json:"commitTime"` // unix seconds; SOURCE_DATE_EPOCH for reproducible images
	// Committed: the tree is exactly Commit (a git source, or a clean
	// checkout), so every binary, stamped with Commit, changes with it.
	Committed   bool   `json:"committed,omitempty"`
	ProxySHA    string `json:"proxySHA"`
	BaseVersion string `json:"baseVersion"`
	// LocalModules are the directories go.mod replaces modules with.
	LocalModules []string `json:"localModules,omitempty"`
	GoSum        string   `json:"goSum,omitempty"` // sha256 of go.sum; empty when the tree has none
	// Dockerfiles are what each Dockerfile of the tree says, by path.
	Dockerfiles map[string]Dockerfile `json:"dockerfiles,omitempty"`
	Tree        Tree                  `json:"tree,omitzero"`
}

// Dockerfile is what a plan needs to know of one of the source's Dockerfiles.
type Dockerfile struct {
	BaseImages  []string          `json:"baseImages,omitempty"`  // every stage's FROM, ARGs expanded; a variant needs only what Stages reach
	Copies      []string          `json:"copies,omitempty"`      // build-context paths it copies, unexpanded
	ArgDefaults map[string]string `json:"argDefaults,omitempty"` // ARG defaults, for expanding Copies
	// Stages and MetaArgs let the plan expand each FROM with a variant's
	// build args and follow only the stages that variant's target reaches.
	Stages   []Stage           `json:"stages,omitempty"`
	MetaArgs map[string]string `json:"metaArgs,omitempty"` // defaults of the ARGs before the first FROM
}

// Stage is one FROM of a Dockerfile, in order, ARGs unexpanded.
type Stage struct {
	Name     string   `json:"name"`               // the "AS" name, lowercased; empty when unnamed
	From     string   `json:"from"`               // base: an image reference or an earlier stage's name
	CopyFrom []string `json:"copyFrom,omitempty"` // COPY --from values: stage names, indexes or image references
	Config   Config   `json:"config,omitzero"`    // what the stage's own USER, ENTRYPOINT and CMD set
}

// Config is what a Dockerfile sets in an image's config. A nil field is not
// set by it, so the image inherits the base image's value; verification
// checks only what is set, as the release's own Dockerfile declares it.
type Config struct {
	User       *string  `json:"user,omitempty"`
	Entrypoint []string `json:"entrypoint"`
	// Cmd is non-nil and possibly empty when set: ENTRYPOINT without a CMD
	// in the same stage clears the base's CMD, as the Dockerfile frontend does.
	Cmd []string `json:"cmd"`
}

// Binary is one Go main package compiled for one platform on the build platform.
type Binary struct {
	Name     string            `json:"name"`
	Package  string            `json:"package"`
	Tags     []string          `json:"tags,omitempty"`
	Platform ocispecs.Platform `json:"platform"`
	LDFlags  string            `json:"ldflags"`
	// Node compiles it on its native BuildPlatform in GoImage (pinned by
	// Assign and Resolve); New sets the plan's defaults.
	Node          string            `json:"node"`
	BuildPlatform ocispecs.Platform `json:"buildPlatform"`
	GoImage       string            `json:"goImage"`
	GoVersion     string            `json:"goVersion,omitempty"` // the Go in GoImage, when it says
}

// Image is one image variant for all its platforms, published as one list.
type Image struct {
	Name       string            `json:"name"`       // pilot, proxyv2
	Variant    string            `json:"variant"`    // debug, distroless
	Repository string            `json:"repository"` // <hub>/<name>
	Tags       []string          `json:"tags,omitempty"`
	Dockerfile string            `json:"dockerfile"`
	Platforms  []ImagePlatform   `json:"platforms,omitempty"`
	BuildArgs  map[string]string `json:"buildArgs,omitempty"`
	// BaseRefs are the images the variant's build pulls, as the Dockerfile
	// names them; NamedContexts may redirect them.
	BaseRefs []string `json:"baseRefs,omitempty"`
	// NamedContexts redirects the Dockerfile's base images, e.g.
	// gcr.io/istio-release/base:1.22-dev -> docker-image://mirror/base:1.22-dev.
	NamedContexts map[string]string `json:"namedContexts,omitempty"`
	Files         map[string]string `json:"files,omitempty"`   // context name -> path in source
	Shipped       []string          `json:"shipped,omitempty"` // executables each platform image holds (recipes.Shipped)
	Wasm          []Download        `json:"wasm,omitempty"`
	// Config is what the Dockerfile's final stage, and the stages it starts
	// from, set for this variant; empty when the source was not read.
	Config Config `json:"config,omitzero"`
}

// ImagePlatform is what goes into one platform's build context.
type ImagePlatform struct {
	Platform ocispecs.Platform `json:"platform"`
	Binaries []string          `json:"binaries,omitempty"` // names; the compiled binary for this platform
	Envoy    *Envoy            `json:"envoy,omitempty"`
	Node     string            `json:"node"` // the BuildKit node that builds it; set by Assign
	// Bases are the NamedContexts as this platform's node pinned them
	// (docker-image://REF@DIGEST), so a moving tag cannot change the build;
	// set by Resolve.
	Bases map[string]string `json:"bases,omitempty"`
}

// Envoy is where one platform's Envoy binary comes from.
type Envoy struct {
	Kind    EnvoyKind `json:"kind"`
	Ref     string    `json:"ref"`     // URL, absolute file path, or image reference
	Tarball bool      `json:"tarball"` // URL or file is a tar.gz holding usr/local/bin/envoy, else the binary itself
	SHA256  string    `json:"sha256"`  // optional pin of what Ref names: the download, the file, or the image's binary
	// Supplied is Ref as the user gave it, when the run has since replaced
	// Ref by a staged copy or a digest; messages show it.
	Supplied string `json:"supplied"`
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
	URL    string `json:"url"`
	Name   string `json:"name"`             // file name in the build context
	SHA256 string `json:"sha256,omitempty"` // BuildKit refuses a download with another sha256; optional (--lock)
}

// Archive is one istioctl release archive.
type Archive struct {
	Name     string            `json:"name"`
	Platform ocispecs.Platform `json:"platform"`
}

// Inputs is what a build is a function of, recorded on its manifest lists
// so an unchanged rebuild can be skipped.
type Inputs struct {
	Digest string            `json:"digest"`         // recipe, options, commit
	Pins   map[string]string `json:"pins,omitempty"` // "REF PLATFORM" -> digest of each image pulled
}
