package istiomab

import (
	"fmt"
	"os"
	"slices"

	"go.yaml.in/yaml/v3"
)

// ReadConfig reads an istio-mab config file, YAML whatever its extension: a
// mapping of flag names to a value or a list of values. It returns each
// value as written, a string or (for a YAML list) a []string, by key; a key
// without a value sets nothing. checkKey refuses a key the caller does not
// know. A key given twice, a nested value or anything but a mapping is an
// error naming the file and line: a setting silently dropped would make a
// build do something else.
func ReadConfig(path string, checkKey func(key string) error) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	out := map[string]any{}
	if len(doc.Content) == 0 {
		return out, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("reading config %s: want a YAML mapping of flag names to values, e.g. \"hub: registry.example.com/istio\"", path)
	}
	lines := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		where := fmt.Sprintf("config %s line %d", path, key.Line)
		if err := checkKey(key.Value); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if first, ok := lines[key.Value]; ok {
			return nil, fmt.Errorf("%s: key %s is given twice (first on line %d): give it once", where, key.Value, first)
		}
		lines[key.Value] = key.Line
		v, err := configValue(val)
		if err != nil {
			return nil, fmt.Errorf("%s: key %s: %w", where, key.Value, err)
		}
		if v != nil {
			out[key.Value] = v
		}
	}
	return out, nil
}

// configValue is a scalar's text as written (1.20 stays "1.20"), a list of
// scalars' texts, or nil for no value.
func configValue(val *yaml.Node) (any, error) {
	switch {
	case val.Kind == yaml.ScalarNode && val.Tag == "!!null":
		return nil, nil
	case val.Kind == yaml.ScalarNode:
		return val.Value, nil
	case val.Kind == yaml.SequenceNode && scalars(val):
		items := []string{}
		for _, item := range val.Content {
			items = append(items, item.Value)
		}
		return items, nil
	}
	return nil, fmt.Errorf("want a value or a list of values")
}

func scalars(seq *yaml.Node) bool {
	return !slices.ContainsFunc(seq.Content, func(n *yaml.Node) bool { return n.Kind != yaml.ScalarNode })
}
