package main

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/istio-mab/istio-mab/builder"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/registry"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// buildOptions are validated, typed settings for one build.
type buildOptions struct {
	plan     plan.Options
	nodes    []builder.NodeRequest   // the default node first
	tls      map[string]buildkit.TLS // by node address
	dist     string
	progress string
	jobs     int
	dryRun   bool
	insecure map[string]bool
	access   *registry.Access
	out      airgapOptions // --output and the like
}

// supportedPlatforms are the image platforms Istio's Dockerfiles and Envoy builds exist for.
var supportedPlatforms = []string{"linux/amd64", "linux/arm64"}

func (f *buildFlags) options(cmd *cobra.Command) (buildOptions, error) {
	config := f.config
	if config == "" {
		config = os.Getenv("ISTIO_MAB_CONFIG")
	}
	v, err := newConfig(cmd, config)
	if err != nil {
		return buildOptions{}, fmt.Errorf("reading config %s: %w", config, err)
	}
	o := buildOptions{dist: v.GetString("dist"), jobs: v.GetInt("jobs"), dryRun: v.GetBool("dry-run"), insecure: map[string]bool{}}
	p := &o.plan
	p.Version, p.Tag = v.GetString("version"), v.GetString("tag")
	p.Push = v.GetBool("push")
	p.EnvoyBaseURL = strings.TrimSuffix(v.GetString("envoy-base-url"), "/")
	p.GoImage, p.BaseRegistry = v.GetString("go-image"), strings.TrimSuffix(v.GetString("base-registry"), "/")
	// GetStringSlice: a config file may give these as YAML lists.
	p.Images, p.Variants = unique(splitAll(v.GetStringSlice("images"))), unique(splitAll(v.GetStringSlice("variants")))
	steps := []func() error{
		func() error { return requireVersion(p.Version) },
		func() (err error) { p.Hub, err = parseHub(v.GetString("hub")); return err },
		func() error { return checkTag(p.Hub, p.Tag) },
		func() (err error) { p.Platforms, err = parsePlatforms(v); return err },
		func() (err error) { p.Envoy, err = parseEnvoys(v.GetStringSlice("envoy")); return err },
		func() (err error) { p.EnvoySHA256, err = parsePins(v.GetStringSlice("envoy-sha256")); return err },
		func() (err error) { p.Source, err = parseSource(v.GetString("source"), p.Version); return err },
		func() (err error) { o.nodes, o.tls, err = parseNodes(v, v.GetString("platforms-file")); return err },
		func() (err error) { o.progress, err = parseProgress(v.GetString("progress")); return err },
		func() (err error) { o.access, err = parseAccess(v, o.insecure); return err },
		func() error { return parseAirgap(v, &o) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return buildOptions{}, err
		}
	}
	return o, nil
}

func requireVersion(v string) error {
	if v == "" {
		return fmt.Errorf("--version is required: the Istio release to build, e.g. --version 1.22.0")
	}
	return nil
}

// parseHub accepts REGISTRY/NAMESPACE as Istio's --hub does, e.g. docker.io/istio.
func parseHub(hub string) (string, error) {
	if hub == "" {
		return "", fmt.Errorf("--hub is required: where to push, e.g. --hub registry.example.com/istio")
	}
	hub = strings.TrimSuffix(hub, "/")
	if _, err := name.NewRepository(hub+"/pilot", name.StrictValidation); err != nil || strings.Contains(hub, "://") || strings.ContainsAny(hub, "@") {
		return "", fmt.Errorf("--hub %q is not a registry/namespace: use the form registry.example.com/istio, lowercase, without scheme, tag or digest", hub)
	}
	return hub, nil
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

func parsePlatforms(v *viper.Viper) ([]ocispecs.Platform, error) {
	names := unique(splitAll(v.GetStringSlice("platforms")))
	if len(names) == 0 {
		var err error
		if names, err = platformsFile(v.GetString("platforms-file")); err != nil {
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
		if !slices.ContainsFunc(out, func(o ocispecs.Platform) bool { return platforms.Format(o) == platforms.Format(pl) }) {
			out = append(out, pl)
		}
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

func parseAccess(v *viper.Viper, insecure map[string]bool) (*registry.Access, error) {
	hosts := splitAll(v.GetStringSlice("insecure-registry"))
	for _, h := range hosts {
		insecure[h] = true
	}
	opts := []registry.Option{registry.WithInsecure(hosts...), registry.WithUserAgent("istio-mab")}
	if ca := v.GetString("registry-ca"); ca != "" {
		opts = append(opts, registry.WithRootCAs(ca))
	}
	return registry.New(opts...)
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
