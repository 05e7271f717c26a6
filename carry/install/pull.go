package install

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// maxChart bounds a chart package read from a registry; Istio's largest
// (istiod) is under 100 KiB.
const maxChart = 16 << 20

// Pull reads the charts a build pushed under hub/charts for version, in
// install order, each checked against its digest and its Chart.yaml. A
// chart the hub lacks is skipped: a tree without it, or a release built
// before istio-mab pushed charts.
func Pull(resolve func(string) (name.Repository, error), hub, version string, opts ...remote.Option) ([]Chart, error) {
	var out []Chart
	for _, n := range order {
		repo, err := resolve(ChartRepo(hub, n))
		if err != nil {
			return nil, err
		}
		c, err := pull(repo.Tag(version), opts...)
		if registry.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, explain(repo.Tag(version), err)
		}
		if c.Name != n || c.Version != version {
			return nil, failure.Verify(fmt.Errorf("chart %s:%s holds chart %q version %q", repo, version, c.Name, c.Version))
		}
		out = append(out, c)
	}
	return out, nil
}

// explain is a registry failure (exit 3) unless the registry answered
// with something that is not a chart (exit 5).
func explain(ref name.Tag, err error) error {
	var notChart *notChartError
	if errors.As(err, &notChart) {
		return failure.Verify(err)
	}
	return failure.Registry(registry.Explain("reading chart", ref, err))
}

// notChartError is an artefact that is not the chart its tag names.
type notChartError struct{ msg string }

func (e *notChartError) Error() string { return e.msg }

// pull reads one chart artefact: a manifest whose one layer is the package.
func pull(ref name.Tag, opts ...remote.Option) (Chart, error) {
	desc, err := remote.Get(ref, opts...)
	if err != nil {
		return Chart{}, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(desc.Manifest, &m); err != nil {
		return Chart{}, fmt.Errorf("%s: %w", ref, err)
	}
	if m.Config.MediaType != ConfigMediaType || len(m.Layers) != 1 || m.Layers[0].MediaType != ChartLayerMediaType {
		return Chart{}, &notChartError{fmt.Sprintf("%s is not a Helm chart (config %s, %d layers)", ref, m.Config.MediaType, len(m.Layers))}
	}
	if m.Layers[0].Size > maxChart {
		return Chart{}, &notChartError{fmt.Sprintf("%s: its package is %d bytes, more than a chart's %d", ref, m.Layers[0].Size, maxChart)}
	}
	l, err := remote.Layer(ref.Context().Digest(m.Layers[0].Digest.String()), opts...)
	if err != nil {
		return Chart{}, err
	}
	rc, err := l.Compressed() // checked against its digest as it is read
	if err != nil {
		return Chart{}, err
	}
	defer rc.Close()
	pkg, err := io.ReadAll(io.LimitReader(rc, maxChart+1))
	if err != nil {
		return Chart{}, err
	}
	c, _, err := chart(pkg)
	if err != nil {
		return c, &notChartError{fmt.Sprintf("%s: %v", ref, err)}
	}
	return c, nil
}
