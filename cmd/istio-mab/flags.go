package main

import (
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// buildFlags are the raw flag values; options() validates and types them.
type buildFlags struct{}

const (
	defaultSource = "https://github.com/istio/istio.git"
	defaultJobs   = 4
)

// register adds build's flags, value completions and examples.
func (f *buildFlags) register(cmd *cobra.Command) {
	cmd.Example = buildExample
	fl := cmd.Flags()
	registerReleaseFlags(fl, "build")
	fl.String("source", defaultSource, "Istio git repository URL, or a local directory")
	fl.String("buildkit-addr", "", "BuildKit daemon address (default: $BUILDKIT_HOST, then "+buildkit.DefaultAddress+")")
	fl.String("envoy-base-url", "", "where Envoy builds are downloaded from (default: upstream's for the release line)")
	fl.StringArray("envoy", nil, "PLATFORM=SOURCE: the Envoy for a platform, e.g. one upstream has none for (repeatable);\n"+
		"SOURCE is an http(s) URL or a local file (a tar.gz holding usr/local/bin/envoy, or the binary),\n"+
		"or an image reference whose PLATFORM variant holds /usr/local/bin/envoy")
	fl.StringArray("envoy-sha256", nil, "PLATFORM=HEX: pin the sha256 of that platform's Envoy download, file, or binary taken from an image (repeatable)")
	fl.String("go", "minor", "which Go compiles: minor (the newest patch of the Go minor upstream used for the line),\n"+
		"upstream (upstream's exact Go for the tag) or a Go version, e.g. 1.22.7 (from the same golang repository)")
	fl.String("go-image", "", "Go builder image, instead of --go's golang image")
	fl.String("base-registry", "", "registry the base images come from (default: upstream's, gcr.io/istio-release)")
	fl.Bool("provenance", true, "attach BuildKit's SLSA v1 provenance (mode=max) to every platform image, checked before tags move")
	fl.Bool("sbom", true, "attach an SPDX SBOM of every platform image, made by --sbom-generator, checked before tags move")
	fl.String("sign-key", "", "cosign private key file: sign every list, platform image and attestation before tags move\n"+
		"(cosign's tag scheme; its password comes from $COSIGN_PASSWORD, never from a flag)")
	fl.String("sbom-generator", defaultSBOMGenerator, "image that makes the SBOM, speaking BuildKit's SBOM scanner protocol (e.g. a mirror of it)")
	fl.String("dist", "dist", "directory for the istioctl release archives")
	fl.String("metadata-file", "", "write the run's results as JSON to this file (schema: docs/metadata.md); with\n"+
		"$GITHUB_STEP_SUMMARY set, a Markdown summary is appended there too")
	registerRegistryFlags(fl)
	fl.Bool("push", true, "push images, manifest lists and tags (false: build and check everything, push nothing)")
	fl.String("progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
	fl.Int("jobs", defaultJobs, "image builds run at once")
	fl.Bool("force", false, "build even when every list under its tags was built from the same inputs (otherwise such a run stops at once)")
	fl.Bool("dry-run", false, "resolve and print the plan (reads the source's facts), build nothing")
	registerBuilderFlags(cmd)
	registerGoFlags(cmd)
	registerCacheFlags(cmd)
	registerCompletions(cmd)
	registerAirgapFlags(cmd)
}

// registerReleaseFlags are the flags naming a release and where it is
// published, shared by build and verify so both read the same settings.
func registerReleaseFlags(fl *pflag.FlagSet, verb string) {
	fl.SetNormalizeFunc(aliases)
	fl.String("config", "", "config file (YAML, any extension) with defaults for any flag; also $ISTIO_MAB_CONFIG")
	fl.String("version", "", "Istio release to "+verb+", as tagged upstream (e.g. 1.14.3)")
	fl.String("hub", "", "registry and namespace of the images (e.g. registry.example.com/istio; a bare name like myreg is docker.io/myreg)")
	fl.String("tag", "", "tag of the images (default: the version)")
	fl.String("platforms", "", "comma-separated image platforms (default: platforms.yaml); also --platform")
	fl.String("platforms-file", "", "YAML file replacing the embedded platforms.yaml")
	fl.String("images", "", "comma-separated images: pilot, proxyv2, install-cni (default: pilot,proxyv2)")
	fl.String("variants", "debug", "comma-separated base variants: debug, distroless")
}

func registerRegistryFlags(fl *pflag.FlagSet) {
	fl.StringArray("insecure-registry", nil, "HOST[:PORT] reached over plain HTTP (repeatable; TLS is verified for every other host)")
	fl.String("registry-ca", "", "PEM file of extra certificate authorities trusted for registries")
}

const buildExample = `  # Rebuild a release for linux/amd64 and linux/arm64 and publish it:
  istio-mab build --version 1.22.0 --hub registry.example.com/istio

  # Istio 1.14 has no upstream arm64 Envoy: supply one.
  istio-mab build --version 1.14.3 --hub registry.example.com/istio \
    --envoy linux/arm64=https://example.com/envoy-alpha-SHA-arm64.tar.gz

  # Build and check everything, push nothing, for arm64 only:
  istio-mab build --version 1.22.0 --hub myreg --platform linux/arm64 --push=false

  # Settings from the environment or a YAML file, as in CI:
  ISTIO_MAB_HUB=registry.example.com/istio ISTIO_MAB_VARIANTS=debug,distroless \
    istio-mab build --version 1.22.0 --config istio-mab.yaml`

// defaultSBOMGenerator is BuildKit's own default SBOM scanner, built on syft.
const defaultSBOMGenerator = "docker.io/docker/buildkit-syft-scanner:stable-1"
