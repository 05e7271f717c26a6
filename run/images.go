package run

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run/image"
	"github.com/moby/buildkit/client"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// PlatformResult is one image platform as BuildKit wrote it.
type PlatformResult struct {
	Image      string // name
	Variant    string
	Repository string
	Node       string // the BuildKit node that built it
	Descriptor ocispecs.Descriptor
}

type imageJob struct {
	img plan.Image
	ip  plan.ImagePlatform
}

func (r runner) buildImages(ctx context.Context) ([]PlatformResult, error) {
	var jobs []imageJob
	for _, img := range r.p.Images {
		for _, ip := range img.Platforms {
			jobs = append(jobs, imageJob{img, ip})
		}
	}
	out := make([]PlatformResult, len(jobs))
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(max(r.s.Jobs, 1))
	for i, j := range jobs {
		g.Go(func() (err error) {
			out[i], err = r.buildImage(ctx, j)
			return err
		})
	}
	return out, g.Wait()
}

func (r runner) buildImage(ctx context.Context, j imageJob) (PlatformResult, error) {
	what := fmt.Sprintf("%s (%s) for %s on %s", j.img.Name, j.img.Variant, platforms.Format(j.ip.Platform), j.ip.Node)
	src := source.State(r.p.Source, r.p.Facts.Commit)
	ctxState := image.Context(r.p, j.img, j.ip, src, r.compiled.onNode(j.ip.Node))
	opt := image.SolveOpt(j.img, j.ip, r.p.Attest, ctxState, src)
	target, err := r.sink.Target(j.img.Repository, j.ip.Platform)
	if err != nil {
		return PlatformResult{}, err
	}
	opt.Exports = []client.ExportEntry{image.PushExport(j.img.Repository, target.Insecure, r.p.MediaTypes)}
	if target.File != nil {
		opt.Exports[0] = image.OCIExport(j.img.Repository, target.File, r.p.MediaTypes)
	}
	opt = r.withCache(r.withGoSecrets(opt), "image-"+j.img.Name+"-"+j.img.Variant+"-"+platforms.Format(j.ip.Platform))
	opt = r.withCompileCacheFrom(opt, j.ip)
	resp, err := r.solveImage(ctx, j.ip.Node, what, opt)
	if err != nil {
		return PlatformResult{}, pushDenied(j.img.Repository, fmt.Errorf("building %s: %w", what, err))
	}
	desc, err := descriptor(resp)
	if err != nil {
		return PlatformResult{}, fmt.Errorf("building %s: %w", what, err)
	}
	if desc.Platform == nil {
		desc.Platform = &j.ip.Platform
	}
	return PlatformResult{Image: j.img.Name, Variant: j.img.Variant, Repository: j.img.Repository, Node: j.ip.Node, Descriptor: desc}, nil
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

func publishImage(p plan.Plan, img plan.Image, built []PlatformResult) publish.Image {
	declared := publish.Declared(img.Config)
	out := publish.Image{Repository: img.Repository, Tags: img.Tags, Binaries: img.Shipped, Annotations: plan.ListAnnotations(p), Declared: &declared,
		Attest: publish.Attestations{Provenance: p.Attest.Provenance, SBOM: p.Attest.SBOM}}
	for _, r := range built {
		if r.Image == img.Name && r.Variant == img.Variant {
			d := r.Descriptor.Digest
			out.Platforms = append(out.Platforms, publish.PlatformImage{
				Platform: *r.Descriptor.Platform,
				Digest:   v1.Hash{Algorithm: d.Algorithm().String(), Hex: d.Encoded()},
			})
		}
	}
	return out
}

// pushDenied marks BuildKit's push refused for want of access (401, 403) as
// a registry failure naming the repository, not a build failure: the fix is
// the credentials or the permissions, not the source.
func pushDenied(repo string, err error) error {
	msg := strings.ToLower(err.Error())
	denied := strings.HasSuffix(msg, ": denied") || strings.HasSuffix(msg, ": unauthorized") ||
		strings.Contains(msg, "401 unauthorized") || strings.Contains(msg, "403 forbidden")
	if !strings.Contains(msg, "failed to push") || !denied {
		return err
	}
	return failure.Registry(fmt.Errorf("%s refused the push of %s: check the credentials in docker config and their push permission: %w", registryHost(repo), repo, err))
}

func registryHost(repo string) string {
	r, err := name.NewRepository(repo)
	if err != nil {
		return repo
	}
	return r.RegistryStr()
}
