package install

import (
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

// NewArtefact lays out chart c, its config read from the package's
// Chart.yaml.
func NewArtefact(c Chart) (Artefact, error) {
	_, m, err := chart(c.Package)
	if err != nil {
		return Artefact{}, fmt.Errorf("reading chart %s: %w", c.Name, err)
	}
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

// Write pushes a's blobs and then its manifest to repo by digest, moving
// no tag.
func (a Artefact) Write(repo name.Repository, opts ...remote.Option) error {
	for _, l := range []v1.Layer{static.NewLayer(a.config, ConfigMediaType), static.NewLayer(a.Chart.Package, ChartLayerMediaType)} {
		if err := remote.WriteLayer(repo, l, opts...); err != nil {
			return err
		}
	}
	ref := repo.Digest(a.Digest.String())
	if d, err := remote.Head(ref, opts...); err == nil && d.Digest == a.Digest {
		return nil // there already: a rerun uploads nothing again
	}
	return remote.Put(ref, rawManifest{a.Manifest}, opts...)
}

// Tag points the chart's version tag in repo at a, as helm install
// oci://REPO --version V finds it; Write came first.
func (a Artefact) Tag(repo name.Repository, opts ...remote.Option) error {
	ref := repo.Tag(a.Chart.Version)
	if d, err := remote.Head(ref, opts...); err == nil && d.Digest == a.Digest {
		return nil // in place: a tag is moved only when it changes
	}
	return remote.Put(ref, rawManifest{a.Manifest}, opts...)
}

// rawManifest is a manifest pushed as its bytes.
type rawManifest struct{ raw []byte }

func (m rawManifest) RawManifest() ([]byte, error)        { return m.raw, nil }
func (m rawManifest) MediaType() (types.MediaType, error) { return types.OCIManifestSchema1, nil }

// Charts are a release's chart artefacts bound for a hub's charts/
// repositories, in install order: written by digest before any list's
// tag moves (Write), tagged after (Tag).
type Charts struct {
	Artefacts []Artefact
	repos     []name.Repository
}

// ForHub lays out charts for hub.
func ForHub(resolve func(string) (name.Repository, error), hub string, charts []Chart) (Charts, error) {
	var out Charts
	for _, i := range installOrder(charts) {
		a, err := NewArtefact(charts[i])
		if err != nil {
			return Charts{}, err
		}
		repo, err := resolve(ChartRepo(hub, charts[i].Name))
		if err != nil {
			return Charts{}, err
		}
		out.Artefacts = append(out.Artefacts, a)
		out.repos = append(out.repos, repo)
	}
	return out, nil
}

// Repositories are where the charts go, for a push-access check before
// the first write.
func (c Charts) Repositories() []string {
	out := make([]string, len(c.repos))
	for i, r := range c.repos {
		out[i] = r.String()
	}
	return out
}

// Write pushes every chart by digest.
func (c Charts) Write(opts ...remote.Option) error {
	for i, a := range c.Artefacts {
		if err := a.Write(c.repos[i], opts...); err != nil {
			return fmt.Errorf("pushing chart %s to %s: %w", a.Chart.Name, c.repos[i], err)
		}
	}
	return nil
}

// Tag moves every chart's version tag.
func (c Charts) Tag(opts ...remote.Option) error {
	for i, a := range c.Artefacts {
		if err := a.Tag(c.repos[i], opts...); err != nil {
			return fmt.Errorf("tagging chart %s in %s: %w", a.Chart.Name, c.repos[i], err)
		}
	}
	return nil
}

// Pushed is a chart as pushed: where, and the manifest's digest.
type Pushed struct {
	Name       string  `json:"name"`
	Version    string  `json:"version"`
	Repository string  `json:"repository"`
	Digest     v1.Hash `json:"digest"`
}

// Pushed lists the charts where Write put them.
func (c Charts) Pushed() []Pushed {
	out := make([]Pushed, len(c.Artefacts))
	for i, a := range c.Artefacts {
		out[i] = Pushed{Name: a.Chart.Name, Version: a.Chart.Version, Repository: c.repos[i].String(), Digest: a.Digest}
	}
	return out
}
