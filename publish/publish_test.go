package publish

import (
	"errors"
	"strings"
	"testing"

	"github.com/containerd/platforms"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/istio-mab/istio-mab/internal/registry"
)

func TestPublishHappyPath(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	img := Image{
		Repository: repo,
		Platforms: []PlatformImage{
			platformImage(t, repo, "linux/arm64", nil),
			platformImage(t, repo, "linux/amd64", nil),
		},
		Tags: []string{"1.14.6"},
	}
	p := newPublisher(t, registry.WithInsecure(host))

	results, err := p.Publish(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	res := results[0]
	if got := tagDigest(t, repo, "1.14.6"); got != res.Index.Digest {
		t.Fatalf("tag points at %s, want %s", got, res.Index.Digest)
	}
	if res.Index.MediaType != types.DockerManifestList || len(res.Tags) != 1 || !res.Tags[0].Moved {
		t.Fatalf("unexpected result %+v", res)
	}

	ref, _ := name.NewTag(repo+":1.14.6", name.Insecure)
	idx, err := remote.Index(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("validate.Index: %v", err)
	}
	im, _ := idx.IndexManifest()
	want := []PlatformImage{img.Platforms[1], img.Platforms[0]} // sorted: amd64, arm64
	if len(im.Manifests) != len(want) {
		t.Fatalf("index has %d entries, want %d", len(im.Manifests), len(want))
	}
	for i, m := range im.Manifests {
		if m.Platform == nil || m.Platform.String() != platforms.Format(want[i].Platform) || m.Digest != want[i].Digest {
			t.Errorf("entry %d: %v %s, want %s %s", i, m.Platform, m.Digest, platforms.Format(want[i].Platform), want[i].Digest)
		}
	}

	// Publishing again changes nothing and skips the tag PUT.
	again, err := p.Publish(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	if again[0].Index.Digest != res.Index.Digest || again[0].Tags[0].Moved {
		t.Fatalf("second publish: %+v", again[0])
	}
}

func TestWrongConfigArchitectureKeepsTag(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/proxyv2"
	old := setTag(t, repo, "1.14.6")
	img := Image{
		Repository: repo,
		Platforms: []PlatformImage{
			platformImage(t, repo, "linux/amd64", nil),
			{Platform: platform("linux/arm64"), Digest: platformImage(t, repo, "linux/amd64", nil).Digest},
		},
		Tags: []string{"1.14.6"},
	}
	_, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img)
	if err == nil || !strings.Contains(err.Error(), "image config is for linux/amd64, want linux/arm64") {
		t.Fatalf("got %v", err)
	}
	if got := tagDigest(t, repo, "1.14.6"); got != old {
		t.Fatalf("tag moved to %s, want still %s", got, old)
	}
}

func TestMissingChildPutsNothing(t *testing.T) {
	isolateDockerConfig(t)
	var reqs requestLog
	host := newRegistry(t, reqs.wrap)
	repo := host + "/istio/pilot"
	missing, _ := v1.NewHash("sha256:" + strings.Repeat("ab", 32))
	img := Image{
		Repository: repo,
		Platforms: []PlatformImage{
			platformImage(t, repo, "linux/amd64", nil),
			{Platform: platform("linux/arm64"), Digest: missing},
		},
		Tags: []string{"latest"},
	}
	reqs.reset()
	_, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img)
	if err == nil || !strings.Contains(err.Error(), "MANIFEST_UNKNOWN") || !strings.Contains(err.Error(), missing.String()) {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
	if n := reqs.count(isManifestPut); n != 0 {
		t.Fatalf("%d manifest PUTs reached the registry, want 0", n)
	}
}

func TestPublishAllVerifiesEveryImageBeforeAnyTag(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	pilot, proxy := host+"/istio/pilot", host+"/istio/proxyv2"
	good := Image{Repository: pilot, Platforms: []PlatformImage{platformImage(t, pilot, "linux/amd64", nil)}, Tags: []string{"1.14.6"}}
	bad := Image{Repository: proxy, Platforms: []PlatformImage{
		{Platform: platform("linux/arm64"), Digest: platformImage(t, proxy, "linux/amd64", nil).Digest},
	}, Tags: []string{"1.14.6"}}
	if _, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), good, bad); err == nil {
		t.Fatal("want error")
	}
	if got := tagDigest(t, pilot, "1.14.6"); got != (v1.Hash{}) {
		t.Fatalf("pilot tag moved to %s although proxyv2 failed", got)
	}
}

func TestIndexIsDeterministic(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	amd, arm := platformImage(t, repo, "linux/amd64", nil), platformImage(t, repo, "linux/arm64", nil)
	p := newPublisher(t, registry.WithInsecure(host))

	var digests []v1.Hash
	for _, order := range [][]PlatformImage{{amd, arm}, {arm, amd}, {amd, arm}} {
		pr, err := p.Prepare(t.Context(), Image{Repository: repo, Platforms: order})
		if err != nil {
			t.Fatal(err)
		}
		digests = append(digests, pr.Index.Descriptor.Digest)
	}
	if digests[0] != digests[1] || digests[1] != digests[2] {
		t.Fatalf("digests differ: %v", digests)
	}
}

func TestNewIndexRefusesEntriesWithoutPlatformOrMixedChildren(t *testing.T) {
	d := v1.Descriptor{MediaType: types.DockerManifestSchema2, Size: 1, Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("0", 64)}}
	if _, err := NewIndex([]v1.Descriptor{d}); err == nil || !strings.Contains(err.Error(), "no platform") {
		t.Fatalf("no platform: got %v", err)
	}
	d.Platform = &v1.Platform{OS: "linux", Architecture: "amd64"}
	oci := d
	oci.MediaType = types.OCIManifestSchema1
	oci.Platform = &v1.Platform{OS: "linux", Architecture: "arm64"}
	if _, err := NewIndex([]v1.Descriptor{d, oci}); err == nil || !strings.Contains(err.Error(), "same --media-types") {
		t.Fatalf("mixed children: got %v", err)
	}
	d.MediaType = types.DockerManifestList
	if _, err := NewIndex([]v1.Descriptor{d}); err == nil || !strings.Contains(err.Error(), "same --media-types") {
		t.Fatalf("list as child: got %v", err)
	}
	if _, err := NewIndex(nil); err == nil {
		t.Fatal("empty: want error")
	}
}

func TestPlainHTTPNeedsExplicitHost(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	img := Image{Repository: repo, Platforms: []PlatformImage{platformImage(t, repo, "linux/amd64", nil)}}

	_, err := newPublisher(t).Publish(t.Context(), img)
	var plain *registry.PlainHTTPError
	if !errors.As(err, &plain) || plain.Host != host {
		t.Fatalf("loopback not listed: got %v", err)
	}
	t.Log(err)
	if _, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img); err != nil {
		t.Fatalf("loopback listed: %v", err)
	}
}

func TestIndexChildRejected(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	amd := platformImage(t, repo, "linux/amd64", nil)
	// A manifest list where a platform image is expected, as BuildKit
	// pushes when attestations are on.
	inner, err := NewIndex([]v1.Descriptor{{MediaType: types.DockerManifestSchema2, Digest: amd.Digest, Size: 1, Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}})
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := name.NewDigest(repo+"@"+inner.Descriptor.Digest.String(), name.Insecure)
	if err := remote.Put(ref, inner, remote.WithContext(t.Context())); err != nil {
		t.Fatal(err)
	}
	img := Image{Repository: repo, Platforms: []PlatformImage{{Platform: amd.Platform, Digest: inner.Descriptor.Digest}}}
	_, err = newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img)
	if err == nil || !strings.Contains(err.Error(), "is a manifest list, not a platform image") {
		t.Fatalf("got %v", err)
	}
}
