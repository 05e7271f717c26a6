package main

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// Every bad setting fails with exit 2 and a message naming its source: the
// variable, or the file and key.
func TestStrictSettings(t *testing.T) {
	noExt := writeFile(t, "istio-mab", "hub: registry.example.com/istio\npush: yes\n")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		config string
		want   string
	}{
		{name: "bool variable", env: map[string]string{"ISTIO_MAB_PUSH": "yes"}, want: `ISTIO_MAB_PUSH: "yes" is not a boolean: use true or false`},
		{name: "number variable", env: map[string]string{"ISTIO_MAB_JOBS": "lots"}, want: `ISTIO_MAB_JOBS: "lots" is not a whole number`},
		{name: "dry-run variable", env: map[string]string{"ISTIO_MAB_DRY_RUN": "on"}, want: `ISTIO_MAB_DRY_RUN: "on" is not a boolean`},
		{name: "unknown variable", env: map[string]string{"ISTIO_MAB_HUBB": "x"}, want: "unknown variable ISTIO_MAB_HUBB: did you mean ISTIO_MAB_HUB?"},
		{name: "unknown empty variable", env: map[string]string{"ISTIO_MAB_PLATFROMS": ""}, want: "unknown variable ISTIO_MAB_PLATFROMS: did you mean ISTIO_MAB_PLATFORMS?"},
		{name: "bool key", config: "push: yes\n", want: `key push: "yes" is not a boolean`},
		{name: "number key", config: "jobs: lots\n", want: `key jobs: "lots" is not a whole number`},
		{name: "number given as a list", config: "jobs: [1, 2]\n", want: "key jobs: want a single int, not a list"},
		{name: "unknown key", config: "hubb: registry.example.com/istio\n", want: `line 1: unknown key "hubb": did you mean "hub"?`},
		{name: "unknown key on a later line", config: "hub: registry.example.com/istio\nvariant: debug\n", want: `line 2: unknown key "variant": did you mean "variants"?`},
		{name: "config names itself", config: "config: other.yaml\n", want: `unknown key "config"`},
		{name: "nested value", config: "envoy:\n  linux/arm64: x\n", want: "key envoy: want a value or a list of values"},
		{name: "not a mapping", config: "- hub\n", want: "want a YAML mapping of flag names to values"},
		{name: "no extension", env: map[string]string{"ISTIO_MAB_CONFIG": noExt}, want: `config ` + noExt + ` key push: "yes" is not a boolean`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := base()
			if tc.config != "" {
				args = append(args, "--config", writeFile(t, "config.yaml", tc.config))
			}
			_, err := parse(t, args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line containing %q", err, tc.want)
			}
			if code := failure.Code(err); code != failure.CodeUsage {
				t.Errorf("exit code %d, want %d", code, failure.CodeUsage)
			}
		})
	}
}

func TestSettingsAccepted(t *testing.T) {
	cleanEnv(t)
	// No extension, YAML lists for string and repeatable flags, an empty
	// value, and a key for another command (verify reads the same file).
	config := writeFile(t, "istio-mab", `hub: registry.example.com/istio
push: false
jobs: 2
dry-run: true
platforms: [linux/arm64]
insecure-registry: [localhost:5000, registry.local:5443]
tag:
`)
	t.Setenv("ISTIO_MAB_CONFIG", config)
	t.Setenv("ISTIO_MAB_TAG", "") // empty counts as unset, as CI templates often expand to nothing
	o := mustParse(t, "--version", "1.14.3")
	if o.Options.Push || o.Jobs != 2 || !o.DryRun || o.Options.Tag != "" || len(o.Registries.Insecure) != 2 {
		t.Errorf("push %t jobs %d dry-run %t tag %q insecure %v", o.Options.Push, o.Jobs, o.DryRun, o.Options.Tag, o.Registries.Insecure)
	}
	if got := formats(o.Options.Platforms); len(got) != 1 || got[0] != "linux/arm64" {
		t.Errorf("platforms %v", got)
	}
}

// One environment may serve several commands: a variable only verify reads
// is not unknown to build. The root command's flags list every command's.
func TestFlagNamesSpanCommands(t *testing.T) {
	names := flagNames(newRootCommand())
	for _, n := range []string{"hub", "envoy", "dry-run", "registry-ca", "config"} {
		if !slices.Contains(names, n) {
			t.Errorf("flag names %v lack %s", names, n)
		}
	}
	if slices.Contains(names, "help") || slices.Contains(names, "platform") {
		t.Errorf("flag names %v list help or the alias platform", names)
	}
}

func TestMissingConfigFromEnv(t *testing.T) {
	cleanEnv(t)
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	t.Setenv("ISTIO_MAB_CONFIG", missing)
	if _, err := parse(t, base()...); err == nil || !strings.Contains(err.Error(), "reading config "+missing) {
		t.Errorf("error %v, want one naming %s", err, missing)
	}
}

func TestNearest(t *testing.T) {
	for _, tc := range []struct{ word, want string }{
		{"hubb", "hub"}, {"platfroms", "platforms"}, {"dryrun", "dry-run"}, {"envoy-sha", "envoy-sha256"},
	} {
		if got := nearest(tc.word, []string{"hub", "tag", "platforms", "platforms-file", "dry-run", "envoy", "envoy-sha256"}); got != tc.want {
			t.Errorf("nearest(%q) = %q, want %q", tc.word, got, tc.want)
		}
	}
	if d := editDistance("kitten", "sitting"); d != 3 {
		t.Errorf("editDistance(kitten, sitting) = %d, want 3", d)
	}
}

// A key given twice is a mistake in the file, not a choice of the last.
func TestDuplicateConfigKey(t *testing.T) {
	cleanEnv(t)
	config := writeFile(t, "istio-mab.yaml", "hub: registry.example.com/istio\npush: false\nhub: other.example.com/istio\n")
	_, err := parse(t, "--version", "1.14.3", "--config", config)
	want := "config " + config + " line 3: key hub is given twice (first on line 1)"
	if err == nil || !strings.Contains(err.Error(), want) || failure.Code(err) != failure.CodeUsage {
		t.Fatalf("error %v, want exit 2 and %q", err, want)
	}
}
