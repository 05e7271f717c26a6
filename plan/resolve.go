package plan

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// New resolves options, a recipe and the source's facts into a plan.
func New(o Options, r recipes.Recipe, f Facts) (Plan, error) {
	r, warnings := FromTree(r, f.Tree)
	o = withDefaults(o, r)
	if err := checkEnvoyKeys(o); err != nil {
		return Plan{}, err
	}
	if err := checkAttest(o); err != nil {
		return Plan{}, err
	}
	p := Plan{
		Version: o.Version, Hub: o.Hub, Source: o.Source, Facts: f, GoImage: o.GoImage,
		BuildPlatform: o.BuildPlatform, LinknameFix: r.LinknameFix, Push: o.Push, Go: o.Go,
		MediaTypes: o.MediaTypes, Warnings: warnings, Attest: o.Attest,
	}
	for _, name := range o.Images {
		spec, ok := r.Images[name]
		if !ok {
			return Plan{}, fmt.Errorf("image %q: not built by the Istio %s recipe (have %s)", name, r.Line, strings.Join(imageNames(r), ", "))
		}
		for _, variant := range o.Variants {
			img, err := newImage(o, r, f, name, variant, spec)
			if err != nil {
				return Plan{}, err
			}
			p.Images = append(p.Images, img)
		}
	}
	var err error
	if p.Archives, err = archives(r, o.Version, o.Istioctl); err != nil {
		return Plan{}, err
	}
	p.Binaries, err = binaries(o, r, f, p.Images, p.Archives)
	return p, err
}

// checkEnvoyKeys refuses --envoy and --envoy-sha256 for platforms not built,
// which are most likely typos.
func checkEnvoyKeys(o Options) error {
	built := map[string]bool{}
	for _, pl := range o.Platforms {
		built[platforms.Format(pl)] = true
	}
	for flag, m := range map[string][]string{"--envoy": slices.Sorted(maps.Keys(o.Envoy)), "--envoy-sha256": slices.Sorted(maps.Keys(o.EnvoySHA256))} {
		for _, k := range m {
			if !built[k] {
				return fmt.Errorf("%s %s: that platform is not built (--platforms)", flag, k)
			}
		}
	}
	return nil
}

func withDefaults(o Options, r recipes.Recipe) Options {
	if o.Tag == "" {
		o.Tag = o.Version
	}
	if len(o.Images) == 0 {
		o.Images = recipes.DefaultImages(r)
	}
	if len(o.Variants) == 0 {
		o.Variants = []string{"debug"}
	}
	if o.EnvoyBaseURL == "" {
		o.EnvoyBaseURL = r.Envoy.BaseURL
	}
	if o.GoImage == "" {
		o.GoImage = r.GoImage
	}
	if o.BaseRegistry == "" {
		o.BaseRegistry = r.BaseRegistry
	}
	if o.Go.Proxy == "" {
		o.Go.Proxy = DefaultGoProxy
	}
	if o.MediaTypes == "" {
		o.MediaTypes = OCI
	}
	if o.BuildPlatform.OS == "" {
		o.BuildPlatform = platforms.MustParse("linux/amd64")
	}
	return o
}

func imageNames(r recipes.Recipe) []string {
	names := make([]string, 0, len(r.Images))
	for n := range r.Images {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func newImage(o Options, r recipes.Recipe, f Facts, name, variant string, spec recipes.Image) (Image, error) {
	if _, ok := spec.Bases[variant]; !ok {
		return Image{}, fmt.Errorf("variant %q: image %s has only %s", variant, name, strings.Join(slices.Sorted(maps.Keys(spec.Bases)), ", "))
	}
	args, err := buildArgs(r, f, variant)
	if err != nil {
		return Image{}, err
	}
	contexts, err := namedContexts(r, o.BaseRegistry, f, spec, variant, args)
	if err != nil {
		return Image{}, err
	}
	bases, err := variantBases(r, f, spec, variant, args)
	if err != nil {
		return Image{}, err
	}
	config, err := FinalConfig(f.Dockerfiles[spec.Dockerfile], args)
	if err != nil {
		return Image{}, fmt.Errorf("%s: %w", spec.Dockerfile, err)
	}
	img := Image{
		Name: name, Variant: variant, Repository: o.Hub + "/" + name, Tags: tags(o.Tag, variant),
		Dockerfile: spec.Dockerfile, BuildArgs: args, Files: spec.Files, NamedContexts: contexts, BaseRefs: bases,
		Config: config, Shipped: recipes.Shipped(spec),
	}
	if spec.Wasm {
		img.Wasm = wasm(o.EnvoyBaseURL, f.ProxySHA)
	}
	for _, pl := range o.Platforms {
		ip := ImagePlatform{Platform: pl, Binaries: spec.Binaries}
		if spec.Envoy {
			e, err := envoy(o, r, f, pl)
			if err != nil {
				return Image{}, err
			}
			ip.Envoy = &e
		}
		if err := checkCopies(r, f, img, ip); err != nil {
			return Image{}, err
		}
		img.Platforms = append(img.Platforms, ip)
	}
	return img, nil
}

// tags follows upstream: the debug variant is the plain tag, others get a suffix.
func tags(tag, variant string) []string {
	if variant == "debug" {
		return []string{tag, tag + "-debug"}
	}
	return []string{tag + "-" + variant}
}

func buildArgs(r recipes.Recipe, f Facts, variant string) (map[string]string, error) {
	args := map[string]string{
		"BASE_DISTRIBUTION": variant,
		"SOURCE_DATE_EPOCH": strconv.FormatInt(f.CommitTime, 10),
	}
	for k, v := range r.BuildArgs {
		s, err := expand(v, f)
		if err != nil {
			return nil, fmt.Errorf("recipe %s build arg %s: %w", r.Line, k, err)
		}
		args[k] = s
	}
	return args, nil
}

func envoy(o Options, r recipes.Recipe, f Facts, pl ocispecs.Platform) (Envoy, error) {
	key := platforms.Format(pl)
	e, ok := o.Envoy[key]
	if !ok {
		if !slices.Contains(r.Envoy.Arches, pl.Architecture) {
			return Envoy{}, fmt.Errorf("no upstream Envoy for %s in Istio %s: supply one with --envoy %s=<https URL | file | image>", key, r.Line, key)
		}
		suffix := ""
		if pl.Architecture != "amd64" {
			suffix = "-" + pl.Architecture
		}
		e = Envoy{Kind: EnvoyURL, Ref: fmt.Sprintf("%s/envoy-alpha-%s%s.tar.gz", o.EnvoyBaseURL, f.ProxySHA, suffix), Tarball: true}
	}
	if pin, ok := o.EnvoySHA256[key]; ok {
		e.SHA256 = pin
	}
	return e, nil
}

func wasm(baseURL, sha string) []Download {
	var out []Download
	for _, filter := range []struct{ upstream, local string }{{"stats", "stats-filter"}, {"metadata_exchange", "metadata-exchange-filter"}} {
		for _, ext := range []string{".wasm", ".compiled.wasm"} {
			out = append(out, Download{URL: fmt.Sprintf("%s/%s-%s%s", baseURL, filter.upstream, sha, ext), Name: filter.local + ext})
		}
	}
	return out
}

// archives are the recipe's istioctl archives that selection names.
func archives(r recipes.Recipe, version, selection string) ([]Archive, error) {
	want, err := istioctlPlatforms(r, selection)
	if err != nil {
		return nil, err
	}
	out := make([]Archive, 0, len(r.Archives))
	for _, a := range r.Archives {
		pl, err := platforms.Parse(a.Platform)
		if err != nil {
			return nil, fmt.Errorf("recipe %s archive %s: %w", r.Line, a.Name, err)
		}
		if !want[platforms.Format(pl)] {
			continue
		}
		name, err := expand(a.Name, Facts{Version: version})
		if err != nil {
			return nil, err
		}
		out = append(out, Archive{Name: name, Platform: pl})
	}
	return out, nil
}

func expand(text string, f Facts) (string, error) {
	t, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, f)
	return b.String(), err
}

// checkAttest refuses what BuildKit cannot attest: its attestation
// manifests are OCI manifests, which a Docker manifest list cannot hold.
func checkAttest(o Options) error {
	if o.Attest.SBOM && o.Attest.SBOMGenerator == "" {
		return fmt.Errorf("an SBOM needs a generator image (--sbom-generator), or turn it off with --sbom=false")
	}
	if o.Attest.Any() && o.MediaTypes == Docker {
		return fmt.Errorf("attestations need OCI media types: use --media-types oci, or --provenance=false --sbom=false with --media-types docker")
	}
	return nil
}

// istioctlPlatforms reads an Istioctl selection against the recipe's archives.
func istioctlPlatforms(r recipes.Recipe, selection string) (map[string]bool, error) {
	have := make([]string, 0, len(r.Archives))
	for _, a := range r.Archives {
		if !slices.Contains(have, a.Platform) {
			have = append(have, a.Platform)
		}
	}
	want := map[string]bool{}
	switch selection {
	case "none":
		return want, nil
	case "", "all":
		for _, pl := range have {
			want[pl] = true
		}
		return want, nil
	}
	for _, name := range strings.Split(selection, ",") {
		name = strings.TrimSpace(name)
		if !slices.Contains(have, name) {
			return nil, fmt.Errorf("--istioctl %s: the Istio %s recipe has istioctl archives for %s (or all, none)", name, r.Line, strings.Join(have, ", "))
		}
		want[name] = true
	}
	return want, nil
}
