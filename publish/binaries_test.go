package publish

import (
	"strings"
	"testing"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/internal/registry"
)

const envoy = "usr/local/bin/envoy"

func TestBinaryArchitecture(t *testing.T) {
	isolateDockerConfig(t)
	host := newRegistry(t, nil)
	repo := host + "/istio/proxyv2"
	amdEnvoy := fileLayer(t, map[string][]byte{envoy: hello(t, "amd64")})
	armEnvoy := fileLayer(t, map[string][]byte{envoy: hello(t, "arm64")})
	whiteout := fileLayer(t, map[string][]byte{"usr/local/bin/.wh.envoy": nil})
	p := newPublisher(t, registry.WithInsecure(host))

	cases := []struct {
		name    string
		images  []PlatformImage
		wantErr string
	}{
		{"matching", []PlatformImage{
			platformImage(t, repo, "linux/amd64", nil, amdEnvoy),
			platformImage(t, repo, "linux/arm64", nil, armEnvoy),
		}, ""},
		{"amd64 envoy labeled arm64", []PlatformImage{
			platformImage(t, repo, "linux/arm64", nil, amdEnvoy),
		}, ": /usr/local/bin/envoy: ELF binary is for linux/amd64, want linux/arm64"},
		{"deleted by an upper layer", []PlatformImage{
			platformImage(t, repo, "linux/amd64", nil, amdEnvoy, whiteout),
		}, "/usr/local/bin/envoy: not found in the image filesystem"},
		{"overridden by an upper layer", []PlatformImage{
			platformImage(t, repo, "linux/arm64", nil, armEnvoy, amdEnvoy),
		}, "ELF binary is for linux/amd64, want linux/arm64"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.Verify(t.Context(), Image{Repository: repo, Platforms: c.images, Binaries: []string{"/" + envoy}})
			switch {
			case c.wantErr == "" && err != nil:
				t.Fatal(err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Fatalf("got %v, want %q", err, c.wantErr)
			}
			if err != nil {
				// The error names the image and its platform first.
				first := c.images[0]
				prefix := "verifying " + platforms.Format(first.Platform) + " image " + repo + "@" + first.Digest.String() + ": "
				if !strings.HasPrefix(err.Error(), prefix) {
					t.Fatalf("got %q, want prefix %q", err, prefix)
				}
				t.Log(err)
			}
		})
	}
}
