package publish

import (
	"context"
	"errors"
	"fmt"

	"github.com/istio-mab/istio-mab/internal/failure"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Verify checks each platform image of img in the registry and returns its
// descriptor, with the platform taken from the image config, in input order.
// It fails unless every digest is a single-platform image whose config
// matches its platform and whose Binaries are executables for it.
func (p *Publisher) Verify(ctx context.Context, img Image) ([]v1.Descriptor, error) {
	repo, err := p.parse(img)
	if err != nil {
		return nil, err
	}
	descs, _, err := p.verify(ctx, repo, img)
	return descs, err
}

func (p *Publisher) verify(ctx context.Context, repo name.Repository, img Image) ([]v1.Descriptor, []PlatformInfo, error) {
	if err := checkPlatformList(img.Platforms); err != nil {
		return nil, nil, fmt.Errorf("verifying %s: %w", repo, err)
	}
	descs := make([][]v1.Descriptor, len(img.Platforms))
	infos := make([]PlatformInfo, len(img.Platforms))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.jobs)
	for i, want := range img.Platforms {
		g.Go(func() (err error) {
			descs[i], infos[i], err = p.verifyOne(gctx, repo.Digest(want.Digest.String()), want.Platform, img)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	return imagesThenAttestations(descs), infos, nil
}

// imagesThenAttestations lists every platform image, then every
// attestation manifest, as buildx assembles its lists.
func imagesThenAttestations(perPlatform [][]v1.Descriptor) []v1.Descriptor {
	var out, atts []v1.Descriptor
	for _, ds := range perPlatform {
		out = append(out, ds[0])
		atts = append(atts, ds[1:]...)
	}
	return append(out, atts...)
}

// verifyOne checks one platform image as pushed, and its attestations when
// BuildKit attached them: the image's descriptor comes first, then those of
// its attestation manifests.
func (p *Publisher) verifyOne(ctx context.Context, ref name.Digest, want ocispecs.Platform, of Image) ([]v1.Descriptor, PlatformInfo, error) {
	fail := func(err error) ([]v1.Descriptor, PlatformInfo, error) {
		return nil, PlatformInfo{}, registry.Explain("verifying "+platforms.Format(want)+" image", ref, err)
	}
	desc, err := remote.Get(ref, p.access.Remote(ctx)...)
	if err != nil {
		return fail(failure.Registry(err))
	}
	a, err := pushedImage(desc, of.Attest)
	if err != nil {
		return fail(err)
	}
	got, err := CheckImage(a.image, want, of.Binaries, of.Declared)
	if err != nil {
		return fail(failure.Verify(err))
	}
	info, err := platformInfo(a.image, want)
	if err != nil {
		return fail(failure.Registry(err))
	}
	a.desc.Platform = got
	return append([]v1.Descriptor{a.desc}, a.atts...), info, nil
}

// pushedImage reads what BuildKit pushed for one platform: the image
// itself, or with attestations an index of it and its attestations, which
// are checked against want.
func pushedImage(desc *remote.Descriptor, want Attestations) (attested, error) {
	if !desc.MediaType.IsIndex() {
		if want.any() {
			return attested{}, failure.Verify(errors.New("carries no attestations, yet they were asked for"))
		}
		img, err := desc.Image()
		return attested{image: img, desc: v1.Descriptor{MediaType: desc.MediaType, Size: desc.Size, Digest: desc.Digest}}, failure.Registry(err)
	}
	if !want.any() {
		return attested{}, failure.Verify(errors.New("is a manifest list, not a platform image: pass the platform manifest digest"))
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return attested{}, failure.Registry(err)
	}
	a, err := splitAttested(idx)
	if err == nil {
		err = a.check(want)
	}
	return a, failure.Verify(err)
}

func checkPlatformList(images []PlatformImage) error {
	if len(images) == 0 {
		return errors.New("no platform images")
	}
	seen := map[string]bool{}
	for _, pi := range images {
		key := platforms.Format(platforms.Normalize(pi.Platform))
		if seen[key] {
			return fmt.Errorf("platform %s listed twice", key)
		}
		seen[key] = true
	}
	return nil
}

// matchPlatform compares the variant only when one is wanted, after
// containerd's normalisation (arm64/v8 is arm64).
func matchPlatform(want ocispecs.Platform, got *v1.Platform) error {
	if got == nil || got.OS == "" {
		return errors.New("image config names no platform")
	}
	g := FromV1(*got)
	if want.Variant == "" {
		g.Variant = ""
	}
	if !platforms.OnlyStrict(want).Match(g) {
		return fmt.Errorf("image config is for %s, want %s", got, platforms.Format(want))
	}
	return nil
}

// FromV1 is the one conversion from go-containerregistry's platform type,
// which its registry data use, to the OCI type used everywhere else.
func FromV1(p v1.Platform) ocispecs.Platform {
	return ocispecs.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, OSVersion: p.OSVersion}
}

// CheckImage checks one platform image wherever it is read from (registry,
// OCI layout), as verify does: its config's platform is want, its USER,
// ENTRYPOINT and CMD are what declared says (when known), and each path in
// binaries is an executable for want. It returns the config's platform and
// the first problem.
func CheckImage(img v1.Image, want ocispecs.Platform, binaries []string, declared *Declared) (*v1.Platform, error) {
	got, problems, err := imageProblems(img, want, binaries, declared)
	if err != nil || len(problems) == 0 {
		return got, err
	}
	if p := problems[0]; p.binary != "" {
		return got, fmt.Errorf("%s: %s", p.binary, p.msg)
	}
	return got, errors.New(problems[0].msg)
}

// imageProblem is one thing wrong with a platform image; binary names the
// file when the problem is one binary.
type imageProblem struct{ binary, msg string }

// imageProblems lists everything wrong with img for want, in a fixed order.
func imageProblems(img v1.Image, want ocispecs.Platform, binaries []string, declared *Declared) (*v1.Platform, []imageProblem, error) {
	cfg, err := img.ConfigFile()
	if err != nil {
		return nil, nil, fmt.Errorf("reading config: %w", err)
	}
	var out []imageProblem
	got := cfg.Platform()
	if err := matchPlatform(want, got); err != nil {
		out = append(out, imageProblem{msg: err.Error()})
	}
	out = append(out, declared.problems(cfg.Config)...)
	for _, be := range binaryErrors(img, want, binaries) {
		out = append(out, imageProblem{binary: be.path, msg: be.err.Error()})
	}
	return got, out, nil
}
