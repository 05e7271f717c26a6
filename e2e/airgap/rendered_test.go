package airgap

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// renderedImages are the images of every container and init container of
// the manifests helm rendered into dir's files (not strings inside
// ConfigMaps, such as the injection templates), sorted, each once.
func renderedImages(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no rendered manifests in %s: %v", dir, err)
	}
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			out = append(out, containerImages(doc, false)...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// containerImages walks v; inContainers says v is an item of a
// containers or initContainers list.
func containerImages(v any, inContainers bool) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		if img, ok := v["image"].(string); ok && inContainers {
			out = append(out, img)
		}
		for k, e := range v {
			out = append(out, containerImages(e, k == "containers" || k == "initContainers")...)
		}
	case []any:
		for _, e := range v {
			out = append(out, containerImages(e, inContainers)...)
		}
	}
	return out
}
