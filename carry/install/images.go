package install

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Images are the image references charts render for hub and tag, read
// from each chart's values: every string value of a key named image
// (Istio's charts name the repository there: pilot, proxyv2, install-cni,
// ztunnel) becomes hub/NAME:tag, and one holding a "/" is a whole
// reference, kept as is. Values under the charts' `defaults:` key count as
// top-level ones. Sorted, each once.
func Images(charts []Chart, hub, tag string) ([]string, error) {
	var out []string
	for _, c := range charts {
		var v any
		if err := yaml.Unmarshal(c.Values, &v); err != nil {
			return nil, fmt.Errorf("reading the values of chart %s: %w", c.Name, err)
		}
		for _, img := range imageValues(v) {
			ref := img
			if !strings.Contains(img, "/") {
				ref = strings.TrimSuffix(hub, "/") + "/" + img + ":" + tag
			}
			out = append(out, ref)
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// imageValues walks v for image: NAME entries.
func imageValues(v any) []string {
	var out []string
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "image" && s != "" && s != "auto" {
				out = append(out, s)
				continue
			}
			out = append(out, imageValues(e)...)
		}
	case []any:
		for _, e := range v {
			out = append(out, imageValues(e)...)
		}
	}
	return out
}
