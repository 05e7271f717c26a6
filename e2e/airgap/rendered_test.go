package airgap

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// renderedImages are the images of every container and init container of
// the manifests helm rendered into dir's files (not strings inside
// ConfigMaps, such as the injection templates), sorted, each once. A
// container whose image is "auto" (the gateway chart's) gets the proxy
// image istiod injects, which the rendered sidecar injector's values name:
// that one replaces it, so the injector must have been rendered.
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
			if ref := injectedImage(t, doc); ref != "" {
				out = append(out, ref)
			}
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if i := slices.Index(out, "auto"); i >= 0 {
		out = slices.Delete(out, i, i+1)
		if !slices.ContainsFunc(out, func(r string) bool { return strings.Contains(r, "/proxyv2:") }) {
			t.Fatalf("a rendered container runs the injected image (auto), and no rendered sidecar injector names it: %v", out)
		}
	}
	return out
}

// injectedImage is the proxy image the istio-sidecar-injector ConfigMap
// doc names in its values (global.hub/global.proxy.image:global.tag), or "".
func injectedImage(t *testing.T, doc any) string {
	t.Helper()
	m, _ := doc.(map[string]any)
	meta, _ := m["metadata"].(map[string]any)
	data, _ := m["data"].(map[string]any)
	raw, _ := data["values"].(string)
	if m["kind"] != "ConfigMap" || meta["name"] != "istio-sidecar-injector" || raw == "" {
		return ""
	}
	var v struct {
		Global struct {
			Hub, Tag string
			Proxy    struct{ Image string }
		}
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil || v.Global.Proxy.Image == "" {
		t.Fatalf("the sidecar injector's values: %v\n%s", err, raw)
	}
	return v.Global.Hub + "/" + v.Global.Proxy.Image + ":" + v.Global.Tag
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
