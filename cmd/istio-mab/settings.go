package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	istiomab "github.com/istio-mab/istio-mab"
)

// envPrefix starts every environment variable istio-mab reads.
const envPrefix = "ISTIO_MAB_"

// configFlag names the config file; it is read from the flag or
// ISTIO_MAB_CONFIG, never from the file itself.
const configFlag = "config"

// settle fills each flag of cmd the command line left unset from its
// ISTIO_MAB_* variable, else from the config file, so the precedence is
// flags > environment > file > defaults (viper's order). Every value goes
// through the flag's own parser, so ISTIO_MAB_PUSH=yes fails exactly as
// --push=yes does, and names its source. Unknown variables and keys are
// errors: a typo that is silently ignored becomes a build that does
// something else. They are known if any command has the flag: one
// environment or file may serve build and verify alike, each taking what
// applies to it. An ISTIO_MAB_* variable far from every setting is only a
// warning unless --strict: the environment is shared with other tools and
// scripts (a test knob, a wrapper's own variable), the config file is
// istio-mab's alone. Every error is bad input (exit 2).
func settle(cmd *cobra.Command) error {
	return istiomab.BadInput(layer(cmd.Flags(), flagNames(cmd.Root()), os.Environ(), warnings(cmd)))
}

func layer(fs *pflag.FlagSet, all, environ []string, warn func(string)) error {
	if err := checkEnv(all, environ, strict(fs, environ), warn); err != nil {
		return err
	}
	v := viper.New()
	v.SetEnvPrefix(strings.TrimSuffix(envPrefix, "_"))
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv() // an empty variable is unset, as CI templates often expand to nothing
	if err := v.BindPFlags(fs); err != nil {
		return err
	}
	path := v.GetString(configFlag)
	if path != "" {
		file, err := istiomab.ReadConfig(path, knownKey(all))
		if err != nil {
			return err
		}
		if err := v.MergeConfigMap(file); err != nil {
			return err
		}
	}
	var errs []error
	fs.VisitAll(func(f *pflag.Flag) {
		if !f.Changed && f.Name != configFlag && v.IsSet(f.Name) {
			errs = append(errs, apply(f, v.Get(f.Name), source(f.Name, path)))
		}
	})
	return errors.Join(errs...)
}

// checkEnv refuses an ISTIO_MAB_* variable that names no flag, even
// empty, when it is close to one (a typo) or strict; warns of the others.
func checkEnv(all, environ []string, strict bool, warn func(string)) error {
	for _, kv := range environ {
		key, _, _ := strings.Cut(kv, "=")
		if !strings.HasPrefix(key, envPrefix) {
			continue
		}
		name := strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(key, envPrefix)), "_", "-")
		if slices.Contains(all, name) && envName(name) == key {
			continue
		}
		hint := didYouMean(name, all, envName)
		if hint != "" || strict {
			return fmt.Errorf("unknown variable %s%s (unset it, or see istio-mab --help)", key, hint)
		}
		warn(fmt.Sprintf("ignoring %s: istio-mab has no such setting (--strict refuses it)", key))
	}
	return nil
}

// strict reads --strict, or ISTIO_MAB_STRICT, before the other settings.
func strict(fs *pflag.FlagSet, environ []string) bool {
	if f := fs.Lookup("strict"); f != nil && f.Changed {
		return f.Value.String() == "true"
	}
	for _, kv := range environ {
		if v, ok := strings.CutPrefix(kv, envPrefix+"STRICT="); ok {
			return v == "true" || v == "1"
		}
	}
	return false
}

func envName(flag string) string {
	return envPrefix + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// knownKey refuses a config key that names no flag, or the config itself.
func knownKey(all []string) func(string) error {
	return func(key string) error {
		if key == configFlag || !slices.Contains(all, key) {
			return fmt.Errorf("unknown key %q%s", key, didYouMean(key, all, func(s string) string { return fmt.Sprintf("%q", s) }))
		}
		return nil
	}
}

// source names where viper found a flag's value: its variable when set,
// as the environment comes before the file, else the file's key.
func source(flag, path string) string {
	if env := envName(flag); os.Getenv(env) != "" {
		return env
	}
	return fmt.Sprintf("config %s key %s", path, flag)
}

// apply sets f from a variable's or config value's text (a []string for a
// YAML list), as the command line would.
func apply(f *pflag.Flag, value any, source string) error {
	typ := f.Value.Type()
	values, list := []string{fmt.Sprint(value)}, false
	if items, ok := value.([]string); ok {
		values, list = items, true
	}
	if list && (typ == "bool" || typ == "int") {
		return fmt.Errorf("%s: want a single %s, not a list", source, typ)
	}
	if list && typ == "string" {
		values = []string{strings.Join(values, ",")} // lists are comma-separated on the command line
	}
	for _, v := range values {
		if err := f.Value.Set(v); err != nil {
			return fmt.Errorf("%s: %q is %s", source, v, expected(typ))
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
