package install

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Helm's media types for a chart in an OCI registry (helm.sh/helm/v3
// pkg/registry/constants.go): what `helm push` writes and `helm pull`
// accepts.
const (
	ConfigMediaType     types.MediaType = "application/vnd.cncf.helm.config.v1+json"
	ChartLayerMediaType types.MediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
)

// Artefact is a chart as `helm push` writes it: an OCI image manifest
// whose config is Chart.yaml as JSON and whose one layer is the package.
type Artefact struct {
	Chart    Chart
	Manifest []byte
	Digest   v1.Hash
	config   []byte
}

// NewArtefact lays out chart c with its Chart.yaml m.
func NewArtefact(c Chart, m Metadata) (Artefact, error) {
	cfg, err := json.Marshal(m)
	if err != nil {
		return Artefact{}, fmt.Errorf("encoding the config of chart %s: %w", c.Name, err)
	}
	desc := func(b []byte, mt types.MediaType) v1.Descriptor {
		h, n, _ := v1.SHA256(bytesReader(b))
		return v1.Descriptor{MediaType: mt, Size: n, Digest: h}
	}
	man := v1.Manifest{
		SchemaVersion: 2, MediaType: types.OCIManifestSchema1,
		Config: desc(cfg, ConfigMediaType),
		Layers: []v1.Descriptor{desc(c.Package, ChartLayerMediaType)},
		Annotations: map[string]string{
			"org.opencontainers.image.title":   c.Name,
			"org.opencontainers.image.version": c.Version,
		},
	}
	raw, err := json.Marshal(man)
	if err != nil {
		return Artefact{}, err
	}
	h, _, _ := v1.SHA256(bytesReader(raw))
	return Artefact{Chart: c, Manifest: raw, Digest: h, config: cfg}, nil
}

// Push writes a's blobs and then its manifest to repo, tagged with the
// chart's version, as helm install oci://REPO --version V finds it.
func (a Artefact) Push(ctx context.Context, repo name.Repository, opts ...remote.Option) error {
	for _, l := range []v1.Layer{static.NewLayer(a.config, ConfigMediaType), static.NewLayer(a.Chart.Package, ChartLayerMediaType)} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return fmt.Errorf("pushing chart %s to %s: %w", a.Chart.Name, repo, err)
		}
	}
	if err := remote.Put(repo.Tag(a.Chart.Version), rawManifest{a.Manifest}, opts...); err != nil {
		return fmt.Errorf("pushing chart %s to %s: %w", a.Chart.Name, repo, err)
	}
	return nil
}

// rawManifest is a manifest pushed as its bytes.
type rawManifest struct{ raw []byte }

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }
