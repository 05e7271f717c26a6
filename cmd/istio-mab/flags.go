package main

import (
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/spf13/cobra"
)

// buildFlags are the raw flag values; options() validates and types them.
type buildFlags struct {
	config string
}

const (
	defaultSource = "https://github.com/istio/istio.git"
	defaultJobs   = 4
)

func (f *buildFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.config, "config", "", "config file (YAML) with defaults for any flag")
	fl.String("version", "", "Istio release to build, as tagged upstream (e.g. 1.14.3)")
	fl.String("hub", "", "registry and namespace to push to (e.g. registry.example.com/istio)")
	fl.String("tag", "", "tag to publish (default: the version)")
	fl.String("platforms", "", "comma-separated image platforms (default: platforms.yaml)")
	fl.String("platforms-file", "", "YAML file replacing the embedded platforms.yaml")
	fl.String("images", "", "comma-separated images to build (default: pilot,proxyv2)")
	fl.String("variants", "debug", "comma-separated base variants: debug, distroless")
	fl.String("source", defaultSource, "Istio git repository URL, or a local directory")
	fl.String("buildkit-addr", "", "BuildKit daemon address (default: $BUILDKIT_HOST, then "+buildkit.DefaultAddress+")")
	fl.String("envoy-base-url", "", "where Envoy builds are downloaded from (default: upstream's for the release line)")
	fl.StringArray("envoy", nil, "PLATFORM=SOURCE: the Envoy for a platform, e.g. one upstream has none for (repeatable);\n"+
		"SOURCE is an http(s) URL or a local file (a tar.gz holding usr/local/bin/envoy, or the binary),\n"+
		"or an image reference whose PLATFORM variant holds /usr/local/bin/envoy")
	fl.StringArray("envoy-sha256", nil, "PLATFORM=HEX: pin the sha256 of that platform's Envoy download, file, or binary taken from an image (repeatable)")
	fl.String("go-image", "", "Go builder image (default: upstream's Go for the release line)")
	fl.String("base-registry", "", "registry the base images come from (default: upstream's, gcr.io/istio-release)")
	fl.String("dist", "dist", "directory for the istioctl release archives")
	fl.StringArray("insecure-registry", nil, "HOST[:PORT] reached over plain HTTP (repeatable; TLS is verified for every other host)")
	fl.String("registry-ca", "", "PEM file of extra certificate authorities trusted for registries")
	fl.Bool("push", true, "push images, manifest lists and tags (false: build and check everything, push nothing)")
	fl.String("progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	fl.Int("jobs", defaultJobs, "image builds run at once")
	fl.Bool("dry-run", false, "resolve and print the plan (reads the source's facts), build nothing")
	registerBuilderFlags(cmd)
	registerAirgapFlags(cmd)
}
