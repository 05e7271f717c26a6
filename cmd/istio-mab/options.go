package main

import (
	"errors"
	"fmt"
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/sign"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/buildkit/client"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// buildOptions are validated, typed settings for one build.
type buildOptions struct {
	plan        plan.Options
	nodes       []resolve.NodeRequest   // the default node first
	tls         map[string]buildkit.TLS // by node address
	metadata    string                  // --metadata-file, or empty
	compileJobs int
	force       bool // rebuild even when the registry holds lists of the same inputs
	cacheFrom   []client.CacheOptionsEntry
	cacheTo     []client.CacheOptionsEntry
	dist        string
	progress    string
	jobs        int
	dryRun      bool
	insecure    map[string]bool
	goChoice    string // --go: recipes.GoMinor, recipes.GoUpstream or a Go version
	access      *registry.Access
	registries  istiomab.Registries
	signer      *sign.Signer  // --sign-key
	out         airgapOptions // --output and the like
}

// request is the library call these options make.
func (o buildOptions) request() istiomab.BuildRequest {
	req := istiomab.BuildRequest{
		Options: o.plan, Go: o.goChoice, Registries: o.registries, Dist: o.dist,
		Jobs: o.jobs, CompileJobs: o.compileJobs, Force: o.force, DryRun: o.dryRun,
		CacheFrom: o.cacheFrom, CacheTo: o.cacheTo, Lock: o.out.lock, Signer: o.signer,
		Output: istiomab.Output{LayoutDir: o.out.layoutDir, TarFile: o.out.tarFile},
	}
	for _, n := range o.nodes {
		req.Nodes = append(req.Nodes, istiomab.Node{Address: n.Address, For: n.For, TLS: o.tls[n.Address]})
	}
	return req
}

// callOptions show progress and warnings on cmd's stderr.
func (o buildOptions) callOptions(cmd *cobra.Command) []istiomab.Option {
	warn := func(w string) { fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w) }
	return []istiomab.Option{istiomab.WithProgress(cmd.ErrOrStderr(), o.progress), istiomab.WithWarnings(warn), istiomab.WithExportCache(exportCache())}
}

// exportCache is where runs keep the binaries they exported, per node, so
// an unchanged one is not sent again; none when the user has no cache dir.
func exportCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "istio-mab", "exports")
}

// supportedPlatforms are the image platforms Istio's Dockerfiles and Envoy builds exist for.
var supportedPlatforms = []string{"linux/amd64", "linux/arm64"}

// options turns the flags, ISTIO_MAB_* variables and config file into
// validated options; every error is bad input (exit 2).
func (f *buildFlags) options(cmd *cobra.Command) (buildOptions, error) {
	o, err := f.parse(cmd)
	return o, failure.Usage(err)
}

func (f *buildFlags) parse(cmd *cobra.Command) (buildOptions, error) {
	fl := cmd.Flags()
	if err := applySettings(fl, flagNames(cmd.Root()), os.Environ()); err != nil {
		return buildOptions{}, err
	}
	o := buildOptions{dist: getString(fl, "dist"), jobs: getInt(fl, "jobs"), dryRun: getBool(fl, "dry-run"), insecure: map[string]bool{},
		metadata: getString(fl, "metadata-file"), compileJobs: getInt(fl, "compile-jobs"), force: getBool(fl, "force")}
	p := &o.plan
	p.Version, p.Tag = getString(fl, "version"), getString(fl, "tag")
	p.Push = getBool(fl, "push")
	p.EnvoyBaseURL = strings.TrimSuffix(getString(fl, "envoy-base-url"), "/")
	p.GoImage, p.BaseRegistry = getString(fl, "go-image"), strings.TrimSuffix(getString(fl, "base-registry"), "/")
	p.Images, p.Variants = items(fl, "images"), items(fl, "variants")
	p.Attest = plan.Attest{Provenance: getBool(fl, "provenance"), SBOM: getBool(fl, "sbom"), SBOMGenerator: getString(fl, "sbom-generator")}
	steps := []func() error{
		func() error { return requireVersion(p.Version) },
		func() error { return checkJobs(o.jobs) },
		func() (err error) { o.goChoice, err = goChoice(fl); return err },
		func() (err error) { p.Hub, err = hubOption(cmd); return err },
		func() error { return checkTag(p.Hub, p.Tag) },
		func() (err error) { p.Platforms, err = parsePlatforms(fl); return err },
		func() (err error) { p.Envoy, err = parseEnvoys(getStrings(fl, "envoy")); return err },
		func() (err error) { p.EnvoySHA256, err = parsePins(getStrings(fl, "envoy-sha256")); return err },
		func() (err error) { p.Source, err = parseSource(getString(fl, "source"), p.Version); return err },
		func() (err error) { o.nodes, o.tls, err = parseNodes(fl); return err },
		func() (err error) { o.progress, err = parseProgress(getString(fl, "progress")); return err },
		func() (err error) { p.Go, err = goOptions(fl); return err },
		func() (err error) { o.cacheFrom, o.cacheTo, err = cacheOptions(fl); return err },
		func() (err error) {
			o.access, err = parseAccess(fl, o.insecure)
			o.registries = registriesOf(fl)
			return err
		},
		func() error { return parseAirgap(fl, &o) },
		func() (err error) { o.signer, err = signKey(fl); return err },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return buildOptions{}, err
		}
	}
	return o, nil
}

// goChoice checks --go's form; the recipe turns it into an image (precheck).
func goChoice(fl *pflag.FlagSet) (string, error) {
	choice := getString(fl, "go")
	if fl.Changed("go") && getString(fl, "go-image") != "" {
		return "", errors.New("--go and --go-image both choose the Go builder: give one")
	}
	_, err := recipes.GoImage(recipes.Recipe{}, "", choice)
	if err != nil && choice != recipes.GoUpstream {
		return "", err
	}
	return choice, nil
}

func requireVersion(v string) error {
	if v == "" {
		return fmt.Errorf("--version is required: the Istio release to build, e.g. --version 1.22.0")
	}
	return nil
}

func checkJobs(jobs int) error {
	if jobs < 1 {
		return fmt.Errorf("--jobs %d: want at least 1", jobs)
	}
	return nil
}

// hubOption parses --hub and says where a Docker Hub shorthand resolved to.
func hubOption(cmd *cobra.Command) (string, error) {
	given := getString(cmd.Flags(), "hub")
	hub, err := parseHub(given)
	if err == nil {
		noteHub(cmd.ErrOrStderr(), given, hub)
	}
	return hub, err
}

// checkTag refuses a --tag the registry would refuse, before anything is pushed.
func checkTag(hub, tag string) error {
	if tag == "" {
		return nil
	}
	if _, err := name.NewTag(hub+"/pilot:"+tag+"-distroless", name.StrictValidation); err != nil {
		return fmt.Errorf("--tag %q is not a valid image tag: use letters, digits, '_', '.', '-', at most 117 characters", tag)
	}
	return nil
}

// parsePlatforms refuses a repeated or empty list rather than fixing it:
// a platform named twice is a mistake in the input, not a wish.
func parsePlatforms(fl *pflag.FlagSet) ([]ocispecs.Platform, error) {
	given := getString(fl, "platforms")
	names := splitAll([]string{given})
	if len(names) == 0 && strings.TrimSpace(given) != "" {
		return nil, fmt.Errorf("--platforms %q names no platform: give e.g. linux/amd64,linux/arm64", given)
	}
	if len(names) == 0 {
		var err error
		if names, err = platformsFile(getString(fl, "platforms-file")); err != nil {
			return nil, err
		}
	}
	out := make([]ocispecs.Platform, 0, len(names))
	for _, n := range names {
		pl, err := platforms.Parse(n)
		if err == nil {
			pl = platforms.Normalize(pl)
			if pl.Architecture == "arm64" && pl.Variant == "v8" {
				pl.Variant = "" // linux/arm64/v8 is linux/arm64
			}
		}
		if err != nil || !slices.Contains(supportedPlatforms, platforms.Format(pl)) {
			return nil, fmt.Errorf("unsupported platform %q: istio-mab builds images for %s", n, strings.Join(supportedPlatforms, ", "))
		}
		if slices.ContainsFunc(out, func(o ocispecs.Platform) bool { return platforms.Format(o) == platforms.Format(pl) }) {
			return nil, fmt.Errorf("platform %s is listed twice: name each platform once", platforms.Format(pl))
		}
		out = append(out, pl)
	}
	return out, nil
}

func platformsFile(path string) ([]string, error) {
	doc, err := readPlatformsFile(path)
	if err == nil && len(doc.Platforms) == 0 {
		err = fmt.Errorf("platforms file %s: want a YAML list under \"platforms:\"", path)
	}
	return doc.Platforms, err
}

// parseSource treats an existing directory as a local tree, a path-like
// value that does not exist as a mistake, anything else as a git URL.
func parseSource(s, version string) (plan.Source, error) {
	if st, err := os.Stat(s); err == nil && st.IsDir() {
		return plan.Source{Dir: s}, nil
	}
	if strings.HasPrefix(s, "/") || strings.HasPrefix(s, ".") || strings.HasPrefix(s, "~") {
		return plan.Source{}, fmt.Errorf("--source %s: no such directory; give an Istio checkout or a git URL", s)
	}
	return plan.Source{GitURL: s, Ref: "refs/tags/" + version}, nil
}

func buildkitAddr(flag string) string {
	if flag != "" {
		return flag
	}
	if env := os.Getenv("BUILDKIT_HOST"); env != "" {
		return env
	}
	return buildkit.DefaultAddress
}

func parseProgress(mode string) (string, error) {
	if !slices.Contains(buildkit.Modes, mode) {
		return "", fmt.Errorf("--progress %q: use one of %s", mode, strings.Join(buildkit.Modes, ", "))
	}
	return mode, nil
}

func parseAccess(fl *pflag.FlagSet, insecure map[string]bool) (*registry.Access, error) {
	r := registriesOf(fl)
	for _, h := range r.Insecure {
		insecure[h] = true
	}
	opts := []registry.Option{registry.WithInsecure(r.Insecure...), registry.WithUserAgent("istio-mab")}
	for _, ca := range r.CAFiles {
		opts = append(opts, registry.WithRootCAs(ca))
	}
	return registry.New(opts...)
}

// registriesOf reads how registries are reached: --insecure-registry and
// the CAs of --registry-ca and --ca-bundle (verify has no --ca-bundle).
func registriesOf(fl *pflag.FlagSet) istiomab.Registries {
	r := istiomab.Registries{Insecure: splitAll(getStrings(fl, "insecure-registry"))}
	for _, flag := range []string{"registry-ca", "ca-bundle"} {
		if fl.Lookup(flag) != nil && getString(fl, flag) != "" {
			r.CAFiles = append(r.CAFiles, getString(fl, flag))
		}
	}
	return r
}

// items reads a list flag: commas and (from the environment) spaces separate
// items, empty ones are dropped, repeated ones kept once.
func items(fl *pflag.FlagSet, name string) []string {
	return unique(splitAll([]string{getString(fl, name)}))
}

// unique drops repeated items, keeping the first of each.
func unique(items []string) []string {
	var out []string
	for _, it := range items {
		if !slices.Contains(out, it) {
			out = append(out, it)
		}
	}
	return out
}

// list splits a comma-separated flag value, dropping empty items.
func list(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

// splitAll accepts repeated flags, commas and (from the environment) spaces alike.
func splitAll(items []string) []string {
	var out []string
	for _, it := range items {
		for _, f := range strings.Fields(it) {
			out = append(out, list(f)...)
		}
	}
	return out
}

// signKey loads --sign-key with $COSIGN_PASSWORD, as cosign does.
func signKey(fl *pflag.FlagSet) (*sign.Signer, error) {
	path := getString(fl, "sign-key")
	if path == "" {
		return nil, nil
	}
	return sign.LoadKey(path, []byte(os.Getenv("COSIGN_PASSWORD")))
}
