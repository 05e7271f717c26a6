package install

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// Imported is what import did with a bundle's install: the charts it
// pushed under the hub, the values rewritten for it, and the commands that
// install the release from there.
type Imported struct {
	Charts   []Artefact
	Values   []byte
	Commands []string
}

// Import pushes the chart packages the bundle at dir lists among files to
// hub/charts/NAME, tagged with their versions, and rewrites the bundle's
// values for hub; valuesPath is what the printed commands pass to -f. A
// bundle without charts (one export wrote) imports nothing here.
func Import(ctx context.Context, access *registry.Access, dir string, files []string, hub, valuesPath string) (Imported, error) {
	charts, metas, err := Read(dir, files)
	if err != nil || len(charts) == 0 {
		return Imported{}, err
	}
	values, tag, err := rewrite(dir, hub)
	if err != nil {
		return Imported{}, err
	}
	out := Imported{Values: values}
	for _, i := range installOrder(charts) {
		c := charts[i]
		a, err := NewArtefact(c, metas[i])
		if err != nil {
			return Imported{}, err
		}
		repo, err := access.Repository(ChartRepo(hub, c.Name))
		if err != nil {
			return Imported{}, err
		}
		if err := a.Push(ctx, repo, access.Remote(ctx)...); err != nil {
			return Imported{}, registry.Explain("pushing chart", repo.Tag(c.Version), err)
		}
		out.Charts = append(out.Charts, a)
		out.Commands = append(out.Commands, HelmInstall(c, hub, tag, valuesPath))
	}
	out.Commands = append(out.Commands, strings.TrimSpace(Istioctl(hub, tag)))
	return out, nil
}

// rewrite is the bundle's values file with global.hub set to hub, and the
// tag it names.
func rewrite(dir, hub string) ([]byte, string, error) {
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(ValuesFile)))
	if err != nil {
		return nil, "", fmt.Errorf("rewriting the values for %s: %w", hub, err)
	}
	var v struct {
		Global struct {
			Tag string `yaml:"tag"`
		} `yaml:"global"`
	}
	if err := yaml.Unmarshal(b, &v); err != nil || v.Global.Tag == "" {
		return nil, "", fmt.Errorf("rewriting the values for %s: %s names no global.tag (%v)", hub, ValuesFile, err)
	}
	return Values(hub, v.Global.Tag), v.Global.Tag, nil
}

// order is the order Istio's Helm guide installs the charts in: the CRDs
// first, istiod before what it injects or configures.
var order = []string{"base", "istiod", "cni", "ztunnel", "gateway"}

// installOrder is the indexes of charts in install order; charts order
// does not name keep their place, after the others.
func installOrder(charts []Chart) []int {
	idx := make([]int, len(charts))
	for i := range idx {
		idx[i] = i
	}
	rank := func(i int) int {
		if r := slices.Index(order, charts[i].Name); r >= 0 {
			return r
		}
		return len(order)
	}
	slices.SortStableFunc(idx, func(a, b int) int { return rank(a) - rank(b) })
	return idx
}
