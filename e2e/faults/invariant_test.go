package faults

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// wantPlatforms are the platforms a complete pilot list has.
var wantPlatforms = []string{"linux/amd64", "linux/arm64"}

// seedTags gives pilot's tags under path a previous value, a list of random
// images, so "unchanged" is checked against something rather than absence.
// It returns "image:tag" -> digest.
func seedTags(t *testing.T, s e2etest.Stack, path string) map[string]string {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.DockerManifestList)
	for _, p := range wantPlatforms {
		arch := strings.TrimPrefix(p, "linux/")
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: e2etest.RandomImage(t, arch),
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	seed := map[string]string{}
	for _, tag := range []string{"1.22.0", "1.22.0-debug"} {
		ref, err := name.NewTag(s.Registry+"/"+path+"/pilot:"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
			t.Fatalf("seeding %s: %v", ref, err)
		}
		seed["pilot:"+tag] = d.String()
	}
	return seed
}

// checkTagInvariant is the promise, checked after every fault: each tag
// under path, read from the registry itself, points either where it did
// before (seed) or to a complete manifest list whose every entry exists,
// carries its platform and is an image for it. No seeded tag disappears.
// It returns the tags that moved, sorted, as "image:tag".
func checkTagInvariant(t *testing.T, s e2etest.Stack, path string, seed map[string]string) []string {
	t.Helper()
	now := tagsUnder(t, s, path)
	var moved []string
	for key := range seed {
		if _, ok := now[key]; !ok {
			t.Errorf("tag %s disappeared", key)
		}
	}
	for key, digest := range now {
		if seed[key] == digest {
			continue
		}
		moved = append(moved, key)
		ref := s.Registry + "/" + path + "/" + key
		if problem := listProblem(t, ref); problem != "" {
			t.Errorf("invariant broken: %s moved to %s, %s", ref, digest, problem)
		}
	}
	slices.Sort(moved)
	return moved
}

// tagsUnder reads every tag of every repository under path: "image:tag" -> digest.
func tagsUnder(t *testing.T, s e2etest.Stack, path string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, repoName := range e2etest.Catalog(t, s) {
		img, ok := strings.CutPrefix(repoName, path+"/")
		if !ok {
			continue
		}
		repo, err := name.NewRepository(s.Registry+"/"+repoName, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		tags, err := remote.List(repo, remote.WithContext(t.Context()))
		if err != nil {
			t.Fatalf("listing tags of %s: %v", repo, err)
		}
		for _, tag := range tags {
			d, err := remote.Head(repo.Tag(tag), remote.WithContext(t.Context()))
			if err != nil {
				t.Fatalf("reading %s:%s: %v", repo, tag, err)
			}
			out[img+":"+tag] = d.Digest.String()
		}
	}
	return out
}

// listProblem says what keeps ref from being a complete, verified list, or "".
func listProblem(t *testing.T, ref string) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r, remote.WithContext(t.Context()))
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
		got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	slices.Sort(got)
	if !slices.Equal(got, wantPlatforms) {
		return "platforms " + strings.Join(got, ",") + ", want " + strings.Join(wantPlatforms, ",")
	}
	return ""
}
