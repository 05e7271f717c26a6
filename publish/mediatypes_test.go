package publish

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// TestPublishOCI: OCI platform images give an OCI image index, whose
// entries keep their OCI manifest type, that verification accepts and the
// registry serves as pushed.
func TestPublishOCI(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/pilot"
	img := Image{
		Repository: repo,
		Platforms:  []PlatformImage{ociPlatformImage(t, repo, "linux/amd64"), ociPlatformImage(t, repo, "linux/arm64")},
		Tags:       []string{"1.22.0"},
	}
	results, err := newPublisher(t, registry.WithInsecure(host)).Publish(t.Context(), img)
	if err != nil {
		t.Fatal(err)
	}
	res := results[0]
	if res.Index.MediaType != types.OCIImageIndex {
		t.Fatalf("list media type %s, want %s", res.Index.MediaType, types.OCIImageIndex)
	}
	ref, _ := name.NewTag(repo+":1.22.0", name.Insecure)
	idx, err := remote.Index(ref, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(idx); err != nil {
		t.Fatalf("validate.Index: %v", err)
	}
	mt, _ := idx.MediaType()
	im, _ := idx.IndexManifest()
	if d, _ := idx.Digest(); d != res.Index.Digest || mt != types.OCIImageIndex || im.MediaType != types.OCIImageIndex {
		t.Fatalf("served %s (%s, body %s), published %s", d, mt, im.MediaType, res.Index.Digest)
	}
	for _, m := range im.Manifests {
		if m.MediaType != types.OCIManifestSchema1 || m.Platform == nil {
			t.Errorf("entry %s: %s platform %v, want an OCI manifest with its platform", m.Digest, m.MediaType, m.Platform)
		}
	}
}
