package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"
)

// envPrefix starts every environment variable istio-mab reads.
const envPrefix = "ISTIO_MAB_"

// configFlag names the config file; it is read from the flag or
// ISTIO_MAB_CONFIG, never from the file itself.
const configFlag = "config"

// applySettings fills each flag the command line left unset from its
// ISTIO_MAB_* variable, else from the config file, so the precedence is
// flags > environment > file > defaults. Every value goes through the flag's
// own parser, so ISTIO_MAB_PUSH=yes fails exactly as --push=yes does, and
// names its source. Unknown variables and keys are errors: a typo that is
// silently ignored becomes a build that does something else. all names the
// flags of every command: one environment or file may serve build and
// verify alike, each taking what applies to it.
func applySettings(fs *pflag.FlagSet, all, environ []string) error {
	env, err := settingsFromEnv(all, environ)
	if err != nil {
		return err
	}
	file, err := settingsFromFile(all, configPath(fs, env))
	if err != nil {
		return err
	}
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || f.Name == configFlag {
			return
		}
		if s, ok := env[f.Name]; ok {
			errs = append(errs, s.apply(f))
		} else if s, ok := file[f.Name]; ok {
			errs = append(errs, s.apply(f))
		}
	})
	return errors.Join(errs...)
}

// setting is one value and where it came from, for error messages.
type setting struct {
	source string // "ISTIO_MAB_PUSH" or "config file x.yaml: key push"
	values []string
	list   bool // a YAML sequence
}

func (s setting) apply(f *pflag.Flag) error {
	typ := f.Value.Type()
	if s.list && (typ == "bool" || typ == "int") {
		return fmt.Errorf("%s: want a single %s, not a list", s.source, typ)
	}
	values := s.values
	if s.list && typ == "string" {
		values = []string{strings.Join(s.values, ",")} // lists are comma-separated on the command line
	}
	for _, v := range values {
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%s: %q is %s", s.source, v, expected(typ))
		}
	}
	f.Changed = true
	return nil
}

func expected(typ string) string {
	switch typ {
	case "bool":
		return "not a boolean: use true or false"
	case "int":
		return "not a whole number: use e.g. 4"
	default:
		return "not a valid " + typ
	}
}

func configPath(fs *pflag.FlagSet, env map[string]setting) string {
	if f := fs.Lookup(configFlag); f != nil && f.Value.String() != "" {
		return f.Value.String()
	}
	if s, ok := env[configFlag]; ok {
		return s.values[0]
	}
	return ""
}

// settingsFromEnv reads every ISTIO_MAB_* variable, by flag name. An empty
// variable counts as unset, as CI templates often expand to nothing.
func settingsFromEnv(all, environ []string) (map[string]setting, error) {
	out := map[string]setting{}
	for _, kv := range environ {
		key, val, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(key, envPrefix) {
			continue
		}
		name := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(key, envPrefix)), "_", "-")
		if !slices.Contains(all, name) {
			return nil, fmt.Errorf("unknown variable %s: did you mean %s? (unset it, or see istio-mab --help)",
				key, envName(nearest(name, all)))
		}
		if val != "" {
			out[name] = setting{source: key, values: []string{val}}
		}
	}
	return out, nil
}

func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// settingsFromFile reads the config file as YAML whatever its extension:
// a mapping from flag names to a value or a list of values.
func settingsFromFile(all []string, path string) (map[string]setting, error) {
	out := map[string]setting{}
	if path == "" {
		return out, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("reading config %s: %w", path, err)
	}
	if len(doc.Content) == 0 {
		return out, nil // an empty file sets nothing
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("reading config %s: want a YAML mapping of flag names to values, e.g. \"hub: registry.example.com/istio\"", path)
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		s, err := fileSetting(all, path, key, val)
		if err != nil {
			return nil, err
		}
		if s.values != nil {
			out[key.Value] = s
		}
	}
	return out, nil
}

func fileSetting(all []string, path string, key, val *yaml.Node) (setting, error) {
	where := fmt.Sprintf("config %s line %d", path, key.Line)
	if key.Value == configFlag || !slices.Contains(all, key.Value) {
		return setting{}, fmt.Errorf("%s: unknown key %q: did you mean %q?", where, key.Value, nearest(key.Value, all))
	}
	s := setting{source: fmt.Sprintf("config %s key %s", path, key.Value)}
	switch {
	case val.Kind == yaml.ScalarNode && val.Tag == "!!null":
		return s, nil // "key:" with no value sets nothing
	case val.Kind == yaml.ScalarNode:
		s.values = []string{val.Value}
	case val.Kind == yaml.SequenceNode && scalars(val):
		s.list, s.values = true, []string{}
		for _, item := range val.Content {
			s.values = append(s.values, item.Value)
		}
	default:
		return setting{}, fmt.Errorf("%s: key %s: want a value or a list of values", where, key.Value)
	}
	return s, nil
}

func scalars(seq *yaml.Node) bool {
	return !slices.ContainsFunc(seq.Content, func(n *yaml.Node) bool { return n.Kind != yaml.ScalarNode })
}

// flagNames lists the flags of cmd and every command under it, by their
// own names (the alias --platform is for the command line only).
func flagNames(cmd *cobra.Command) []string {
	var out []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Name != "help" && !slices.Contains(out, f.Name) {
			out = append(out, f.Name)
		}
	})
	for _, sub := range cmd.Commands() {
		for _, n := range flagNames(sub) {
			if !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}
