package soak

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	mabreg "github.com/istio-mab/istio-mab/internal/registry"
)

// Platforms are the platforms a complete pilot list has.
var Platforms = []string{"linux/amd64", "linux/arm64"}

// Seed gives image's tags under registry/path a previous value, a list of
// random images, so "unchanged" is checked against something rather than
// absence. It returns "image:tag" -> digest.
func Seed(ctx context.Context, registry, path, image string, tags ...string) (map[string]string, error) {
	idx := mutate.IndexMediaType(empty.Index, types.DockerManifestList)
	for _, p := range Platforms {
		arch := strings.TrimPrefix(p, "linux/")
		img, err := randomImage(arch)
		if err != nil {
			return nil, err
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img,
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	d, err := idx.Digest()
	if err != nil {
		return nil, err
	}
	seed := map[string]string{}
	for _, tag := range tags {
		ref, err := name.NewTag(registry+"/"+path+"/"+image+":"+tag, name.Insecure)
		if err != nil {
			return nil, err
		}
		if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx)); err != nil {
			return nil, fmt.Errorf("seeding %s: %w", ref, err)
		}
		seed[image+":"+tag] = d.String()
	}
	return seed, nil
}

// randomImage is a one-layer image whose config names linux/arch.
func randomImage(arch string) (v1.Image, error) {
	img, err := random.Image(512, 1)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", arch
	return mutate.ConfigFile(img, cf)
}

// CheckTags is the promise, checked after every fault: each tag under
// registry/path, read from the registry itself, points either where it did
// before (seed) or to a complete manifest list whose every entry exists,
// carries its platform and is an image for it; no seeded tag disappears.
// It returns the tags that moved, sorted, as "image:tag", and what breaks
// the promise, one line each. err is the registry failing to answer.
func CheckTags(ctx context.Context, registry, path string, seed map[string]string) (moved, problems []string, err error) {
	now, err := TagsUnder(ctx, registry, path)
	if err != nil {
		return nil, nil, err
	}
	for key := range seed {
		if _, ok := now[key]; !ok {
			problems = append(problems, "tag "+key+" disappeared")
		}
	}
	for key, digest := range now {
		if seed[key] == digest {
			continue
		}
		moved = append(moved, key)
		ref := registry + "/" + path + "/" + key
		if problem := ListProblem(ctx, ref); problem != "" {
			problems = append(problems, "invariant broken: "+ref+" moved to "+digest+", "+problem)
		}
	}
	charts, err := tagsUnder(ctx, registry, path, isChart)
	if err != nil {
		return nil, nil, err
	}
	for key := range charts {
		ref := registry + "/" + path + "/" + key
		if problem := ChartProblem(ctx, ref); problem != "" {
			problems = append(problems, "chart tag broken: "+ref+", "+problem)
		}
	}
	slices.Sort(moved)
	slices.Sort(problems)
	return moved, problems, nil
}

// TagsUnder reads every tag of every image repository under
// registry/path: "image:tag" -> digest. The Helm charts a build pushes
// beside its lists (HUB/charts/NAME) are not images and are left out.
func TagsUnder(ctx context.Context, registry, path string) (map[string]string, error) {
	return tagsUnder(ctx, registry, path, func(img string) bool { return !isChart(img) })
}

// isChart is whether img, a repository relative to a path, is a chart's.
func isChart(img string) bool {
	return strings.HasPrefix(img, "charts/") || strings.Contains(img, "/charts/")
}

func tagsUnder(ctx context.Context, registry, path string, keep func(img string) bool) (map[string]string, error) {
	repos, err := Repositories(ctx, registry)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, repoName := range repos {
		img, ok := strings.CutPrefix(repoName, path+"/")
		if !ok || !keep(img) {
			continue
		}
		repo, err := name.NewRepository(registry+"/"+repoName, name.Insecure)
		if err != nil {
			return nil, err
		}
		tags, err := remote.List(repo, remote.WithContext(ctx))
		if mabreg.IsNotFound(err) {
			continue // blobs or untagged manifests only: a push that stopped before its tags
		}
		if err != nil {
			return nil, fmt.Errorf("listing tags of %s: %w", repo, err)
		}
		for _, tag := range tags {
			d, err := remote.Head(repo.Tag(tag), remote.WithContext(ctx))
			if err != nil {
				return nil, fmt.Errorf("reading %s:%s: %w", repo, tag, err)
			}
			out[img+":"+tag] = d.Digest.String()
		}
	}
	return out, nil
}

// Repositories lists a plain-HTTP registry's repositories, paging as it requires.
func Repositories(ctx context.Context, registry string) ([]string, error) {
	reg, err := name.NewRegistry(registry, name.Insecure)
	if err != nil {
		return nil, err
	}
	repos, err := remote.Catalog(ctx, reg)
	if err != nil {
		return nil, fmt.Errorf("listing %s: %w", registry, err)
	}
	return repos, nil
}

// ListProblem says what keeps ref from being a complete, verified list, or "".
func ListProblem(ctx context.Context, ref string) string {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err.Error()
	}
	idx, err := remote.Index(r, remote.WithContext(ctx))
	if err != nil {
		return "not a readable manifest list: " + err.Error()
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return err.Error()
	}
	var got []string
	for _, d := range m.Manifests {
		if d.Platform == nil || d.Platform.OS == "" {
			return "entry " + d.Digest.String() + " carries no platform"
		}
		if d.Platform.OS == "unknown" { // attestation manifests are not platforms
			continue
		}
		if problem := entryProblem(idx, d); problem != "" {
			return problem
		}
		got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	slices.Sort(got)
	if !slices.Equal(got, Platforms) {
		return "platforms " + strings.Join(got, ",") + ", want " + strings.Join(Platforms, ",")
	}
	return ""
}

// entryProblem says what keeps the list's entry d from being an image for
// the platform it is listed as, or "".
func entryProblem(idx v1.ImageIndex, d v1.Descriptor) string {
	img, err := idx.Image(d.Digest)
	if err != nil {
		return "entry " + d.Digest.String() + " is missing: " + err.Error()
	}
	cfg, err := img.ConfigFile()
	if err != nil {
		return "entry " + d.Digest.String() + " has no readable config: " + err.Error()
	}
	if p := cfg.Platform(); p == nil || p.OS != d.Platform.OS || p.Architecture != d.Platform.Architecture {
		return "entry " + d.Digest.String() + " is listed as " + d.Platform.String() + " but its config is not"
	}
	return ""
}
