package main

import (
	"github.com/spf13/pflag"

	istiomab "github.com/istio-mab/istio-mab"
)

// Each add...Flags binds one option group of the library's ...Flags to
// flags; commands pick the groups that apply to them, so a flag a command
// would ignore is not there to give.

const (
	defaultSource = "https://github.com/istio/istio.git"
	defaultJobs   = 4
	// defaultCompileJobs leaves each go build most of a small node's CPUs.
	defaultCompileJobs = 2
	// defaultSBOMGenerator is BuildKit's own default SBOM scanner, built on syft.
	defaultSBOMGenerator = "docker.io/docker/buildkit-syft-scanner:stable-1"
)

// addReleaseFlags binds the flags naming a release and where it is
// published, shared by build and verify so both read the same settings.
func addReleaseFlags(fl *pflag.FlagSet, r *istiomab.ReleaseFlags, verb string) {
	fl.SetNormalizeFunc(aliases)
	fl.String(configFlag, "", "config file (YAML, any extension) with defaults for any flag; also $ISTIO_MAB_CONFIG")
	fl.StringVar(&r.Version, "version", "", "Istio release to "+verb+", as tagged upstream (e.g. 1.14.3)")
	fl.StringVar(&r.Hub, "hub", "", "registry and namespace of the images (e.g. registry.example.com/istio; a bare name like myreg is docker.io/myreg)")
	fl.StringVar(&r.Tag, "tag", "", "tag of the images (default: the version)")
	fl.StringVar(&r.Platforms, "platforms", "", "image platforms, comma-separated or repeated; all: every supported one (default: platforms.yaml); also --platform")
	fl.StringVar(&r.PlatformsFile, "platforms-file", "", "YAML file replacing the embedded platforms.yaml")
	fl.StringVar(&r.Images, "images", "", "images, comma-separated or repeated: pilot, proxyv2, install-cni (default: pilot,proxyv2)")
	fl.StringVar(&r.Variants, "variants", "debug", "base variants, comma-separated or repeated: debug, distroless")
}

func addRegistryFlags(fl *pflag.FlagSet, r *istiomab.RegistryFlags) {
	fl.Bool("strict", false, "refuse every ISTIO_MAB_* variable istio-mab does not know (default: only near-misses of a setting; others are warned of)")
	fl.StringArrayVar(&r.Insecure, "insecure-registry", nil, "HOST[:PORT] reached over plain HTTP (repeatable; TLS is verified for every other host)")
	fl.StringVar(&r.CA, "registry-ca", "", "PEM file of extra certificate authorities trusted for registries")
}

// addInputFlags binds what a build reads: source, Envoy, Go, bases, attestations.
func addInputFlags(fl *pflag.FlagSet, in *istiomab.InputFlags) {
	fl.StringVar(&in.Source, "source", defaultSource, "Istio git repository URL, or a local directory")
	fl.StringVar(&in.EnvoyBaseURL, "envoy-base-url", "", "where Envoy builds are downloaded from (default: upstream's for the release line)")
	fl.StringArrayVar(&in.Envoy, "envoy", nil, "PLATFORM=SOURCE: the Envoy for a platform, e.g. one upstream has none for (repeatable);\n"+
		"SOURCE is an http(s) URL or a local file (a tar.gz holding usr/local/bin/envoy, or the binary),\n"+
		"or an image reference whose PLATFORM variant holds /usr/local/bin/envoy")
	fl.StringArrayVar(&in.EnvoySHA256, "envoy-sha256", nil, "PLATFORM=HEX: pin the sha256 of that platform's Envoy download, file, or binary taken from an image (repeatable)")
	fl.StringVar(&in.Go, "go", "minor", "which Go compiles: minor (the newest patch of the Go minor upstream used for the line),\n"+
		"upstream (upstream's exact Go for the tag) or a Go version, e.g. 1.22.7 (from the same golang repository)")
	fl.StringVar(&in.GoImage, "go-image", "", "Go builder image, instead of --go's golang image")
	fl.StringVar(&in.BaseRegistry, "base-registry", "", "registry the base images come from (default: upstream's, gcr.io/istio-release)")
	fl.BoolVar(&in.Provenance, "provenance", true, "attach BuildKit's SLSA v1 provenance (mode=max) to every platform image, checked before tags move")
	fl.BoolVar(&in.SBOM, "sbom", true, "attach an SPDX SBOM of every platform image, made by --sbom-generator, checked before tags move")
	fl.StringVar(&in.SBOMGenerator, "sbom-generator", defaultSBOMGenerator, "image that makes the SBOM, speaking BuildKit's SBOM scanner protocol (e.g. a mirror of it)")
	fl.StringVar(&in.MediaTypes, "media-types", "oci", "manifest format of images and lists: oci (OCI image index, carried by OCI layouts with every digest unchanged) or docker (Docker manifest list)")
	fl.StringVar(&in.GoProxy, "goproxy", "", "GOPROXY for the one module download (default: $GOPROXY, else "+istiomab.DefaultGoProxy+");\n"+
		"GONOSUMDB, GONOSUMCHECK, GOPRIVATE, GOSUMDB, GONOPROXY and GOINSECURE pass from the environment")
	fl.StringVar(&in.CABundle, "ca-bundle", "", "PEM file of extra CAs (e.g. a TLS-inspecting proxy's) trusted by the module download\n"+
		"and by istio-mab's own registry calls")
	fl.StringVar(&in.Netrc, "netrc", "", "a .netrc for private modules, given to the module download as a BuildKit secret (never in a layer or the log)")
}

const builderHelp = "PLATFORM=ADDRESS[,ca=FILE,cert=FILE,key=FILE,servername=NAME]: the BuildKit node that builds PLATFORM's images\n" +
	"(repeatable; any address BuildKit accepts: tcp://, unix://, kube-pod://, docker-container://, ssh://;\n" +
	"ca/cert/key are mTLS files for tcp://). Overrides platforms.yaml's builders; other platforms use --buildkit-addr"

// addNodeFlags binds where and how a build runs.
func addNodeFlags(fl *pflag.FlagSet, n *istiomab.NodeFlags) {
	fl.StringVar(&n.BuildkitAddr, "buildkit-addr", "", "BuildKit daemon address (default: $BUILDKIT_HOST, then "+istiomab.DefaultBuildkitAddress+")")
	fl.StringArrayVar(&n.Builders, "builder", nil, builderHelp)
	fl.StringVar(&n.Progress, "progress", "auto", "progress output: auto, tty, plain, rawjson or quiet")
}

// addArchiveFlags binds which istioctl archives a build writes, and
// where: build and plan (whose plan shows them), not lock.
func addArchiveFlags(fl *pflag.FlagSet, n *istiomab.NodeFlags) {
	fl.StringVar(&n.Dist, "dist", "dist", "directory for the istioctl release archives (empty: none, and istioctl is not compiled)")
	fl.StringVar(&n.Istioctl, "istioctl", "all", "istioctl archives to build, by OS/ARCH, comma-separated or repeated (e.g. linux/amd64,darwin/arm64); none for an images-only rebuild")
}

// addJobFlags binds how much of a node a build uses: build only.
func addJobFlags(fl *pflag.FlagSet, n *istiomab.NodeFlags) {
	fl.IntVar(&n.Jobs, "jobs", defaultJobs, "image builds run at once")
	fl.IntVar(&n.CompileJobs, "compile-jobs", defaultCompileJobs, "go builds at once per BuildKit node (each gets its share of the node's CPUs as go build -p; the images' binaries go first)")
}

// addPublishFlags binds what only build does: push (or not), sign, cache,
// hold to a lock, write a layout.
func addPublishFlags(fl *pflag.FlagSet, p *istiomab.PublishFlags) {
	fl.BoolVar(&p.Push, "push", true, "push images, manifest lists and tags (false: build and check everything, push nothing)")
	fl.BoolVar(&p.Force, "force", false, "build even when every list under its tags was built from the same inputs (otherwise such a run stops at once)")
	fl.BoolVar(&p.DryRun, "dry-run", false, "resolve and print the plan (reads the source's facts), build nothing")
	fl.StringVar(&p.SignKey, "sign-key", "", "cosign private key file: sign every list, platform image and attestation before tags move\n"+
		"(cosign's tag scheme; its password comes from $COSIGN_PASSWORD, never from a flag)")
	fl.StringArrayVar(&p.CacheFrom, "cache-from", nil, "BuildKit cache to import, as buildx: type=registry,ref=REPO[:TAG] (repeatable);\n"+
		"each compile and image gets its own tag under REPO")
	fl.StringArrayVar(&p.CacheTo, "cache-to", nil, "BuildKit cache to export, as buildx: type=registry,ref=REPO[:TAG][,mode=max] (repeatable)")
	fl.StringVar(&p.LockPath, "lock", "", "lock file from istio-mab lock: build exactly those inputs, refusing any that drifted")
	fl.StringVar(&p.Split, "split", "", splitUsage)
	fl.StringVar(&p.Output, "output", "", "oci-layout:DIR or tar:FILE: write every list, the istioctl archives and "+istiomab.ContentsFile+" there instead of pushing (see docs/airgap.md)")
	fl.StringVar(&p.Since, "since", "", "with --output: a previous bundle (directory, tarball or "+istiomab.ContentsFile+"): write a delta, leaving out the layers it carried")
}

const splitUsage = "with tar:FILE: write FILE.part-001, FILE.part-002, ... of at most this size each\n" +
	"(700M, 4G, 4GiB: 1024-based; 4GB: 1000-based; or bytes), which import --from FILE reads as one"
