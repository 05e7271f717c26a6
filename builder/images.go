package builder

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/istio-mab/istio-mab/builder/buildkit"
	"github.com/istio-mab/istio-mab/builder/image"
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/publish"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// PlatformResult is one image platform as BuildKit pushed it.
type PlatformResult struct {
	Image      string // name
	Variant    string
	Repository string
	Descriptor ocispecs.Descriptor
}

type imageJob struct {
	img plan.Image
	ip  plan.ImagePlatform
}

func buildImages(ctx context.Context, c *buildkit.Client, p plan.Plan, s Settings, stage string) ([]PlatformResult, error) {
	var jobs []imageJob
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			jobs = append(jobs, imageJob{img, ip})
		}
	}
	out := make([]PlatformResult, len(jobs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(s.Jobs, 1))
	for i, j := range jobs {
		g.Go(func() (err error) {
			out[i], err = buildImage(ctx, c, p, s, j, stage)
			return err
		})
	}
	return out, g.Wait()
}

func buildImage(ctx context.Context, c *buildkit.Client, p plan.Plan, s Settings, j imageJob, stage string) (PlatformResult, error) {
	src := source.State(p.Source, p.Facts.Commit)
	bctx := image.Context(p, j.img, j.ip, src)
	opt := image.SolveOpt(j.img, j.ip, bctx, src, p.Push, s.Insecure[registryHost(j.img.Repository)])
	what := fmt.Sprintf("%s (%s) for %s", j.img.Name, j.img.Variant, platforms.Format(j.ip.Platform))
	tarball := filepath.Join(stage, "oci", strings.NewReplacer("/", "-", " ", "").Replace(what)+".tar")
	if !p.Push {
		f, err := create(tarball)
		if err != nil {
			return PlatformResult{}, err
		}
		opt.Exports = []client.ExportEntry{image.OCIExport(j.img, f)}
	}
	resp, err := c.Solve(ctx, nil, opt, locals(p), s.Progress)
	if err != nil {
		return PlatformResult{}, fmt.Errorf("building %s: %w", what, err)
	}
	desc, err := descriptor(resp)
	if err != nil {
		return PlatformResult{}, fmt.Errorf("building %s: %w", what, err)
	}
	if !p.Push {
		if err := checkLocalImage(tarball, desc, j.ip.Platform, binariesToCheck(j.img)); err != nil {
			return PlatformResult{}, fmt.Errorf("checking %s: %w", what, err)
		}
	}
	if desc.Platform == nil {
		desc.Platform = &j.ip.Platform
	}
	return PlatformResult{Image: j.img.Name, Variant: j.img.Variant, Repository: j.img.Repository, Descriptor: desc}, nil
}

func descriptor(resp map[string]string) (ocispecs.Descriptor, error) {
	var d ocispecs.Descriptor
	raw, ok := resp[image.DescriptorKey]
	if !ok {
		return d, fmt.Errorf("exporter response has no %s", image.DescriptorKey)
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return d, fmt.Errorf("decoding %s: %w", image.DescriptorKey, err)
	}
	return d, json.Unmarshal(b, &d)
}

func registryHost(repo string) string {
	r, err := name.NewRepository(repo, name.Insecure)
	if err != nil {
		return ""
	}
	return r.RegistryStr()
}

// binariesToCheck are the paths the image must hold as executables for its
// platform: upstream's Dockerfiles install every context binary in /usr/local/bin.
func binariesToCheck(img plan.Image) []string {
	var out []string
	if len(img.Platforms) == 0 {
		return nil
	}
	ip := img.Platforms[0]
	for _, b := range ip.Binaries {
		out = append(out, "/usr/local/bin/"+b)
	}
	if ip.Envoy != nil {
		out = append(out, "/usr/local/bin/envoy")
	}
	return out
}

func publishImage(img plan.Image, built []PlatformResult) publish.Image {
	out := publish.Image{Repository: img.Repository, Tags: img.Tags, Binaries: binariesToCheck(img)}
	for _, r := range built {
		if r.Image != img.Name || r.Variant != img.Variant {
			continue
		}
		out.Platforms = append(out.Platforms, publish.PlatformImage{
			Platform: v1.Platform{OS: r.Descriptor.Platform.OS, Architecture: r.Descriptor.Platform.Architecture, Variant: r.Descriptor.Platform.Variant},
			Digest:   v1.Hash{Algorithm: r.Descriptor.Digest.Algorithm().String(), Hex: r.Descriptor.Digest.Encoded()},
		})
	}
	return out
}

func create(path string) (*os.File, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	return os.Create(path)
}
