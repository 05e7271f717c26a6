package install

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// Write puts the install into the bundle at dir: each chart's package, the
// images its values render for hub and tag, and both overrides.
func Write(dir string, charts []Chart, hub, tag string) error {
	images, err := Images(charts, hub, tag)
	if err != nil {
		return err
	}
	files := map[string][]byte{
		ImagesFile:   []byte(strings.Join(images, "\n") + "\n"),
		ValuesFile:   Values(hub, tag),
		IstioctlFile: []byte(Istioctl(hub, tag)),
	}
	for _, c := range charts {
		files[c.File()] = c.Package
	}
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
		if err := fsutil.WriteFileAtomic(p, b); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}

// Metadata is a chart's Chart.yaml, as helm pushes it for the artefact's
// config (JSON, the fields of helm's chart.Metadata).
type Metadata map[string]any

// Read reads the chart packages the bundle at dir lists among files
// (paths relative to dir).
func Read(dir string, files []string) ([]Chart, error) {
	var charts []Chart
	for _, f := range files {
		if path.Dir(f) != ChartsDir || !strings.HasSuffix(f, ".tgz") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f)))
		if err != nil {
			return nil, fmt.Errorf("reading chart %s: %w", f, err)
		}
		c, _, err := chart(b)
		if err != nil {
			return nil, fmt.Errorf("reading chart %s: %w", f, err)
		}
		if c.Name == "" || c.Version == "" || f != c.File() {
			return nil, fmt.Errorf("reading chart %s: its Chart.yaml names %q version %q", f, c.Name, c.Version)
		}
		charts = append(charts, c)
	}
	return charts, nil
}

// topFiles reads the named files at the top directory of a chart
// package (Chart.yaml, values.yaml), each up to 1 MiB.
func topFiles(pkg []byte, names ...string) (map[string][]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(pkg))
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	out := map[string][]byte{}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		parts := strings.Split(hdr.Name, "/")
		if len(parts) != 2 || !slices.Contains(names, parts[1]) {
			continue
		}
		if out[parts[1]], err = io.ReadAll(io.LimitReader(tr, 1<<20)); err != nil {
			return nil, err
		}
	}
}

// chart reads a package's Chart.yaml and values.yaml.
func chart(pkg []byte) (Chart, Metadata, error) {
	files, err := topFiles(pkg, "Chart.yaml", "values.yaml")
	if err != nil {
		return Chart{}, nil, err
	}
	if files["Chart.yaml"] == nil {
		return Chart{}, nil, errors.New("no Chart.yaml")
	}
	var m Metadata
	if err := yaml.Unmarshal(files["Chart.yaml"], &m); err != nil {
		return Chart{}, nil, err
	}
	name, _ := m["name"].(string)
	version, _ := m["version"].(string)
	return Chart{Name: name, Version: version, Package: pkg, Values: files["values.yaml"]}, m, nil
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
