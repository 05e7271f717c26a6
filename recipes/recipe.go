package recipes

import (
	"maps"
	"slices"
	"strings"
)

// Recipe is how one Istio release line builds its binaries and images.
type Recipe struct {
	Line           string            `yaml:"line"`           // "1.22": applies from 1.22.0 until the next line
	VersionPackage string            `yaml:"versionPackage"` // package of the -X version ldflags
	BuildOSArch    bool              `yaml:"buildOSArch"`    // also -X buildOS/buildArch (the target's)
	GoImage        string            `yaml:"goImage"`        // default Go builder image
	LinknameFix    bool              `yaml:"linknameFix"`    // pass -checklinkname=0 when Go >= 1.23 links it
	Patches        []Patch           `yaml:"patches"`        // GoImage and LinknameFix by patch range; Select applies them
	Binaries       map[string]Binary `yaml:"binaries"`
	Images         map[string]Image  `yaml:"images"`
	BuildArgs      map[string]string `yaml:"buildArgs"` // values are text/template over plan.Facts
	BaseRegistry   string            `yaml:"baseRegistry"`
	Envoy          Envoy             `yaml:"envoy"`
	Archives       []Archive         `yaml:"archives"`
}

// Binary is one Go main package.
type Binary struct {
	Package string   `yaml:"package"`
	Tags    []string `yaml:"tags"`
	// TagsVar is the Makefile.core.mk variable upstream builds it with
	// (AGENT_TAGS, STANDARD_TAGS); the tree's value wins over Tags.
	TagsVar string `yaml:"tagsVar"`
}

// Image is one container image built from a Dockerfile in the source.
type Image struct {
	Dockerfile string            `yaml:"dockerfile"`
	Binaries   []string          `yaml:"binaries"` // placed at <arch>/<name> in the context
	Envoy      bool              `yaml:"envoy"`    // needs <arch>/envoy
	Wasm       bool              `yaml:"wasm"`     // needs the wasm filters at the context root
	Files      map[string]string `yaml:"files"`    // context name -> path in the source
	Bases      map[string]string `yaml:"bases"`    // variant -> base image name under BaseRegistry
	// Paths are where the Dockerfile installs a binary other than in
	// /usr/local/bin, e.g. install-cni's istio-cni in /opt/cni/bin.
	Paths map[string]string `yaml:"paths"`
	// Optional images are built only when --images names them; the
	// default is what upstream's users rebuild most (pilot, proxyv2).
	Optional bool `yaml:"optional"`
}

// Shipped are the absolute paths of the executables the image holds, each
// checked to be for the image's platform: its binaries and Envoy.
func Shipped(img Image) []string {
	var out []string
	for _, b := range img.Binaries {
		p, ok := img.Paths[b]
		if !ok {
			p = "/usr/local/bin/" + b
		}
		out = append(out, p)
	}
	if img.Envoy {
		out = append(out, "/usr/local/bin/envoy")
	}
	return out
}

// DefaultImages are the images built when --images names none.
func DefaultImages(r Recipe) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(r.Images)) {
		if !r.Images[name].Optional {
			out = append(out, name)
		}
	}
	return out
}

// Envoy says where upstream publishes Envoy builds for this line.
type Envoy struct {
	BaseURL string   `yaml:"baseURL"`
	Arches  []string `yaml:"arches"` // architectures upstream published an Envoy for
}

// Archive is one istioctl release archive; Name is a template over Version.
type Archive struct {
	Platform string `yaml:"platform"`
	Name     string `yaml:"name"`
}

// RequiredPaths are files the recipe expects in the source tree (Dockerfiles,
// the context files they copy, main packages); checking them first turns a
// wrong release line into one clear error instead of a failed COPY.
func RequiredPaths(r Recipe) []string {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Images)) {
		img := r.Images[name]
		add(img.Dockerfile)
		for _, ctx := range slices.Sorted(maps.Keys(img.Files)) {
			add(img.Files[ctx])
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Binaries)) {
		add(strings.TrimPrefix(r.Binaries[name].Package, "./") + "/main.go")
	}
	return out
}

// Dockerfiles are the recipe's Dockerfile paths, image by image.
func Dockerfiles(r Recipe) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(r.Images)) {
		out = append(out, r.Images[name].Dockerfile)
	}
	return out
}

// ImageNames are every image the recipe can build, sorted.
func ImageNames(r Recipe) []string { return slices.Sorted(maps.Keys(r.Images)) }
