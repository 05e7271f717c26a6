package istiomab

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/parse"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/sign"
)

// InputFlags choose what a build reads: --source, --envoy-base-url,
// --envoy, --envoy-sha256, --go, --go-image, --base-registry, --provenance,
// --sbom, --sbom-generator, --media-types, --goproxy, --ca-bundle, --netrc.
type InputFlags struct {
	Source, EnvoyBaseURL      string
	Envoy, EnvoySHA256        []string // PLATFORM=SOURCE and PLATFORM=HEX entries
	Go                        string   // minor, upstream or a Go version; empty: minor
	GoImage, BaseRegistry     string
	Provenance, SBOM          bool
	SBOMGenerator, MediaTypes string
	GoProxy, CABundle, Netrc  string
}

// NodeFlags say where and how a build runs: --buildkit-addr, --builder,
// --jobs, --compile-jobs, --progress, --dist and --istioctl.
type NodeFlags struct {
	BuildkitAddr      string   // empty: $BUILDKIT_HOST, then DefaultBuildkitAddress
	Builders          []string // PLATFORM=ADDRESS[,ca=FILE,cert=FILE,key=FILE,servername=NAME]
	Jobs, CompileJobs int
	Progress          string // checked here; the caller passes it to WithProgress
	Dist              string
	Istioctl          string // all (or empty), none, or OS/ARCH,... of the archives
}

// PublishFlags say what a build does with what it built: --push, --force,
// --dry-run, --sign-key, --cache-from, --cache-to, --lock and --output.
type PublishFlags struct {
	Push, Force, DryRun bool
	SignKey, LockPath   string   // a cosign private key file; an istio-mab lock file
	CacheFrom, CacheTo  []string // buildx's type=registry,ref=REPO[:TAG] form
	Output              string   // oci-layout:DIR or tar:FILE instead of a push
	Split               string   // part size for --output tar:FILE (700M, 4G, 1048576)
	Since               string   // with Output: a previous bundle the layout is a delta on
	// PushGiven and DistGiven say --push and --dist were set by the user
	// (flag, variable or config file): --output refuses them.
	PushGiven, DistGiven bool
}

// BuildFlags are a BuildRequest as text.
type BuildFlags struct {
	Release    ReleaseFlags
	Registries RegistryFlags
	Inputs     InputFlags
	Nodes      NodeFlags
	Publish    PublishFlags
}

// Request checks f, one flag after another, and types it; note hears where
// a Docker Hub shorthand resolved to. Every error is bad input (exit 2).
func (f BuildFlags) Request(note func(string)) (BuildRequest, error) {
	req := f.verbatim()
	for _, step := range f.steps(&req, note) {
		if err := step(); err != nil {
			return BuildRequest{}, failure.Usage(err)
		}
	}
	return req, nil
}

// verbatim is the part of the request taken as given.
func (f BuildFlags) verbatim() BuildRequest {
	rel, in, n, pub := f.Release, f.Inputs, f.Nodes, f.Publish
	req := BuildRequest{Go: in.Go, Dist: n.Dist, Jobs: n.Jobs, CompileJobs: n.CompileJobs, Force: pub.Force, DryRun: pub.DryRun,
		Registries: f.Registries.registries(in.CABundle)}
	req.Options = plan.Options{
		Version: rel.Version, Tag: rel.Tag, Push: pub.Push,
		Images: parse.Items(rel.Images), Variants: parse.Items(rel.Variants),
		EnvoyBaseURL: strings.TrimSuffix(in.EnvoyBaseURL, "/"),
		GoImage:      in.GoImage, BaseRegistry: strings.TrimSuffix(in.BaseRegistry, "/"),
		Attest: plan.Attest{Provenance: in.Provenance, SBOM: in.SBOM, SBOMGenerator: in.SBOMGenerator},
	}
	return req
}

// steps check and type the rest, in the order the CLI always reported
// problems: the release first, the outputs last.
func (f BuildFlags) steps(req *BuildRequest, note func(string)) []func() error {
	rel, in, n, pub, o := f.Release, f.Inputs, f.Nodes, f.Publish, &req.Options
	return []func() error{
		func() error { return parse.Version(rel.Version) },
		func() error { return parse.AtLeastOne("--jobs", n.Jobs) },
		func() error { return parse.GoChoice(in.Go, in.GoImage) },
		func() (err error) { o.Hub, err = hub(rel.Hub, note); return err },
		func() error { return parse.Tag(o.Hub, o.Tag) },
		func() (err error) { o.Platforms, err = rel.platforms(); return err },
		func() (err error) { o.Envoy, err = parse.Envoys(in.Envoy); return err },
		func() (err error) { o.EnvoySHA256, err = parse.Pins(in.EnvoySHA256); return err },
		func() (err error) { o.Source, err = parse.Source(in.Source, rel.Version); return err },
		func() (err error) {
			req.Nodes, err = parseNodes(n.BuildkitAddr, n.Builders, rel.PlatformsFile)
			return err
		},
		func() error { return parse.Progress(n.Progress) },
		func() (err error) { o.Go, err = parse.Go(in.GoProxy, in.CABundle, in.Netrc); return err },
		func() error { return parse.AtLeastOne("--compile-jobs", n.CompileJobs) },
		func() (err error) { req.CacheFrom, err = parse.Cache("--cache-from", pub.CacheFrom); return err },
		func() (err error) { req.CacheTo, err = parse.Cache("--cache-to", pub.CacheTo); return err },
		func() (err error) { _, err = req.Registries.access(); return err },
		func() (err error) { o.MediaTypes, err = plan.ParseMediaTypes(in.MediaTypes); return err },
		func() (err error) { req.Locked, err = readLock(pub.LockPath); return err },
		func() error { return output(req, pub) },
		func() error { return istioctl(req, n.Istioctl) },
		func() (err error) { req.Signer, err = signer(pub.SignKey); return err },
	}
}

func parseNodes(addr string, builders []string, platformsFile string) ([]Node, error) {
	parsed, err := parse.Nodes(addr, builders, platformsFile, PlatformsYAML)
	out := make([]Node, len(parsed))
	for i, n := range parsed {
		out[i] = Node(n)
	}
	return out, err
}

func readLock(path string) (*lock.Lock, error) {
	if path == "" {
		return nil, nil
	}
	l, err := lock.Read(path)
	if err != nil {
		return nil, err
	}
	return &l, nil
}

// output writes a layout instead of pushing, with the archives inside it.
func output(req *BuildRequest, pub PublishFlags) error {
	out, err := parse.Layout("--output", pub.Output)
	if err == nil {
		out, err = parse.WithSplit(out, "--output", pub.Split)
	}
	if err != nil {
		return err
	}
	if out.LayoutDir == "" {
		if pub.Since != "" {
			return errors.New("--since makes the layout of --output a delta: give --output too, or export --since after pushing")
		}
		return nil
	}
	if pub.Since != "" {
		if _, err := carry.ReadBase(pub.Since); err != nil {
			return err
		}
	}
	if pub.PushGiven && pub.Push {
		return errors.New("--output writes a layout instead of pushing: drop --push=true, or --output to push")
	}
	if pub.DistGiven {
		return errors.New("--output puts the istioctl archives into the layout's files/: drop --dist")
	}
	req.Output = outputOf(out, pub.Since)
	req.Options.Push = false
	req.Dist = filepath.Join(out.LayoutDir, "files")
	return nil
}

// istioctl selects the archives; with no --dist there are none to write,
// so none is compiled.
func istioctl(req *BuildRequest, selection string) error {
	selection = strings.Join(parse.Items(selection), ",")
	if req.Dist == "" && selection != "" && selection != "all" && selection != "none" {
		return errors.New("--istioctl " + selection + " writes archives into --dist, which is empty: give --dist DIR, or --istioctl none")
	}
	if req.Dist == "" {
		selection = "none"
	}
	req.Options.Istioctl = selection
	return nil
}

// signer loads --sign-key with $COSIGN_PASSWORD, as cosign does.
func signer(path string) (*sign.Signer, error) {
	if path == "" {
		return nil, nil
	}
	return sign.LoadKey(path, []byte(os.Getenv("COSIGN_PASSWORD")))
}
