package publish

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/internal/registry"
)

const app = "/usr/local/bin/app"

// runnable pushes by digest an image whose config says plat, holding app
// built for binArch, with USER and ENTRYPOINT set unless bare.
func runnable(t *testing.T, repo, plat, binArch string, bare bool) v1.Descriptor {
	t.Helper()
	pi := platformImage(t, repo, plat, nil, fileLayer(t, map[string][]byte{app[1:]: hello(t, binArch)}))
	ref, _ := name.NewDigest(repo+"@"+pi.Digest.String(), name.Insecure)
	img, err := remote.Image(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if bare { // platformImage sets USER and ENTRYPOINT
		cfg, _ := img.ConfigFile()
		cfg = cfg.DeepCopy()
		cfg.Config.User, cfg.Config.Entrypoint = "", nil
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		d, _ := img.Digest()
		ref, _ = name.NewDigest(repo+"@"+d.String(), name.Insecure)
		if err := remote.Write(ref, img, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := img.Digest()
	size, _ := img.Size()
	mt, _ := img.MediaType()
	return v1.Descriptor{MediaType: mt, Digest: d, Size: size}
}

// pushList tags a Docker manifest list of entries, each with the platform
// its key names ("none" for none), written byte for byte as a hand-made or
// broken list would be: ggcr's own index builders fill in missing platforms.
func pushList(t *testing.T, repo, tag string, entries map[string]v1.Descriptor) string {
	return pushAnnotatedList(t, repo, tag, entries, nil)
}

func pushAnnotatedList(t *testing.T, repo, tag string, entries map[string]v1.Descriptor, annotations map[string]string) string {
	t.Helper()
	im := v1.IndexManifest{SchemaVersion: 2, MediaType: types.DockerManifestList, Annotations: annotations}
	for _, plat := range slices.Sorted(maps.Keys(entries)) {
		d := entries[plat]
		if plat != "none" {
			p := platform(plat)
			d.Platform = &v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
		}
		im.Manifests = append(im.Manifests, d)
	}
	raw, err := json.Marshal(im)
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewTag(repo+":"+tag, name.Insecure)
	if err := remote.Put(ref, &Index{Descriptor: v1.Descriptor{MediaType: types.DockerManifestList}, raw: raw}, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	return ref.String()
}

func TestVerifyList(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	amd, arm := runnable(t, repo, "linux/amd64", "amd64", false), runnable(t, repo, "linux/arm64", "arm64", false)
	bare := runnable(t, repo, "linux/amd64", "amd64", true)
	for _, tc := range []struct {
		name    string
		entries map[string]v1.Descriptor
		want    []string // substrings, one per problem line, in order
	}{
		{"good", map[string]v1.Descriptor{"linux/amd64": amd, "linux/arm64": arm}, nil},
		{"arm64 entry holding the amd64 image", map[string]v1.Descriptor{"linux/amd64": amd, "linux/arm64": amd}, []string{
			"linux/arm64: entry " + amd.Digest.String() + ": image config is for linux/amd64, want linux/arm64",
			"linux/arm64: " + app + ": ELF binary is for linux/amd64, want linux/arm64",
		}},
		{"entry without a platform", map[string]v1.Descriptor{"linux/amd64": amd, "none": arm}, []string{
			"linux/arm64: no entry for this platform",
			": entry " + arm.Digest.String() + " has no platform",
		}},
		{"missing platform", map[string]v1.Descriptor{"linux/amd64": amd}, []string{"linux/arm64: no entry for this platform"}},
		// Upstream's proxyv2 sets no USER: nothing declared, nothing checked.
		{"no USER or ENTRYPOINT and none declared", map[string]v1.Descriptor{"linux/amd64": bare, "linux/arm64": arm}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ref := pushList(t, repo, strings.ReplaceAll(tc.name, " ", "-"), tc.entries)
			problems, err := newPublisher(t, registry.WithInsecure(host)).VerifyList(t.Context(), ListCheck{
				Ref: ref, Platforms: []ocispecs.Platform{platform("linux/amd64"), platform("linux/arm64")}, Binaries: []string{app},
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range problems {
				got = append(got, p.String())
			}
			if len(got) != len(tc.want) {
				t.Fatalf("problems:\n%s\nwant %d lines containing %q", strings.Join(got, "\n"), len(tc.want), tc.want)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(got[i], ref) || !strings.Contains(got[i], w) {
					t.Errorf("problem %d: %q, want it to start with %s and contain %q", i, got[i], ref, w)
				}
			}
		})
	}
}

func TestVerifyListSingleImageMissingListUnreachable(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	amd := runnable(t, repo, "linux/amd64", "amd64", false)
	p := newPublisher(t, registry.WithInsecure(host))
	problems, err := p.VerifyList(t.Context(), ListCheck{Ref: repo + "@" + amd.Digest.String()})
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].String(), "not a manifest list") {
		t.Errorf("single image: problems %v, error %v", problems, err)
	}
	problems, err = p.VerifyList(t.Context(), ListCheck{Ref: repo + ":no-such-tag"})
	if err != nil || len(problems) != 1 || problems[0].String() != repo+":no-such-tag: not found: nothing is published at this reference" {
		t.Errorf("missing tag: problems %v, error %v", problems, err)
	}
	// An unreachable registry is not a verification problem but an error.
	if _, err := p.VerifyList(t.Context(), ListCheck{Ref: "127.0.0.1:1/istio/pilot:1.22.0"}); err == nil {
		t.Error("unreachable registry: no error")
	}
}

// v1Platform is platform in go-containerregistry's type, which lists use.
func v1Platform(s string) v1.Platform {
	p := platform(s)
	return v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}

// A list that records its Dockerfile's config is held to it: an entry whose
// USER or ENTRYPOINT was changed after the build is a problem, named.
func TestVerifyListHoldsConfigToItsDockerfile(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	amd, arm := runnable(t, repo, "linux/amd64", "amd64", true), runnable(t, repo, "linux/arm64", "arm64", false)
	user := "1337:1337"
	declared := &Declared{User: &user, Entrypoint: []string{"/usr/local/bin/pilot-agent"}}
	entries := map[string]v1.Descriptor{"linux/amd64": amd, "linux/arm64": arm}
	recorded := pushAnnotatedList(t, repo, "recorded", entries, declared.annotate(nil))
	unrecorded := pushList(t, repo, "unrecorded", entries)
	for _, tc := range []struct {
		name string
		c    ListCheck
	}{
		{"recorded on the list", ListCheck{Ref: recorded}},
		{"given by the caller", ListCheck{Ref: unrecorded, Declared: declared}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.c.Platforms = []ocispecs.Platform{platform("linux/amd64"), platform("linux/arm64")}
			problems, err := newPublisher(t, registry.WithInsecure(host)).VerifyList(t.Context(), tc.c)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{
				`linux/amd64: image config has USER "", its Dockerfile sets "1337:1337"`,
				`linux/amd64: image config has ENTRYPOINT [], its Dockerfile sets ["/usr/local/bin/pilot-agent"]`,
			}
			if len(problems) != len(want) {
				t.Fatalf("problems %q, want %d", problems, len(want))
			}
			for i, w := range want {
				if !strings.HasSuffix(problems[i].String(), w) {
					t.Errorf("problem %d: %q, want it to end with %q", i, problems[i], w)
				}
			}
		})
	}
}
