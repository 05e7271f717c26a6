package install

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"go.yaml.in/yaml/v3"
)

// Imported is what import does with a bundle's install: the charts it
// pushes under the hub, the values rewritten for it, and the commands that
// install the release from there.
type Imported struct {
	Charts   Charts
	Values   []byte
	Commands []string
}

// ForImport reads the install the bundle at dir carries (the chart
// packages it lists among files, paths relative to dir) for hub: the
// charts to push under hub/charts (resolve names their repositories),
// the values rewritten for hub, and the install commands, which pass
// valuesPath to -f. A bundle without charts has no install: the zero
// Imported.
func ForImport(dir string, files []string, hub, valuesPath string, resolve func(string) (name.Repository, error)) (Imported, error) {
	charts, err := Read(dir, files)
	if err != nil || len(charts) == 0 {
		return Imported{}, err
	}
	values, tag, err := rewrite(dir, hub)
	if err != nil {
		return Imported{}, err
	}
	push, err := ForHub(resolve, hub, charts)
	if err != nil {
		return Imported{}, err
	}
	out := Imported{Charts: push, Values: values}
	for _, a := range push.Artefacts {
		out.Commands = append(out.Commands, HelmInstall(a.Chart, hub, tag, valuesPath))
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
