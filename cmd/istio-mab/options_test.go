package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

const pin = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// parse runs the build command's flags -> options path on args, with an
// environment free of ISTIO_MAB_* and BUILDKIT_HOST unless the test sets them.
func parse(t *testing.T, args ...string) (buildOptions, error) {
	t.Helper()
	var f buildFlags
	cmd := &cobra.Command{Use: "build"}
	f.register(cmd)
	cmd.SetContext(t.Context())
	cmd.SetErr(io.Discard) // the Docker Hub note; TestHubResolutionIsPrinted checks it
	if err := cmd.ParseFlags(args); err != nil {
		t.Fatalf("parsing %q: %v", args, err)
	}
	return f.options(cmd)
}

func mustParse(t *testing.T, args ...string) buildOptions {
	t.Helper()
	o, err := parse(t, args...)
	if err != nil {
		t.Fatalf("options(%q): %v", args, err)
	}
	return o
}

// cleanEnv unsets what the developer's shell may set, for the test's duration.
func cleanEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "ISTIO_MAB_") || k == "BUILDKIT_HOST" {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func base(extra ...string) []string {
	return append([]string{"--version", "1.14.3", "--hub", "registry.example.com/istio"}, extra...)
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func formats(pls []ocispecs.Platform) []string {
	var out []string
	for _, pl := range pls {
		out = append(out, platforms.Format(pl))
	}
	return out
}

func TestBuildCommandRegistersFlags(t *testing.T) {
	cmd := newBuildCommand()
	for _, name := range []string{"config", "version", "hub", "platforms", "platforms-file", "envoy", "envoy-sha256", "source", "buildkit-addr", "progress", "push", "insecure-registry", "dry-run"} {
		if cmd.Flags().Lookup(name) == nil {
			t.Errorf("build has no --%s", name)
		}
	}
	if err := cmd.Args(cmd, []string{"extra"}); err == nil {
		t.Errorf("build accepts positional arguments")
	}
}

func TestDefaults(t *testing.T) {
	cleanEnv(t)
	o := mustParse(t, base()...)
	p := o.Options
	if p.Version != "1.14.3" || p.Hub != "registry.example.com/istio" || p.Tag != "" || !p.Push {
		t.Errorf("version %q hub %q tag %q push %t", p.Version, p.Hub, p.Tag, p.Push)
	}
	if got := formats(p.Platforms); !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("platforms %v, want platforms.yaml's linux/amd64, linux/arm64", got)
	}
	if !slices.Equal(p.Variants, []string{"debug"}) || len(p.Images) != 0 {
		t.Errorf("variants %v images %v, want [debug] and every image", p.Variants, p.Images)
	}
	if p.Source != (plan.Source{GitURL: defaultSource, Ref: "refs/tags/1.14.3"}) {
		t.Errorf("source %+v, want upstream at refs/tags/1.14.3", p.Source)
	}
	if o.Nodes[0].Address != buildkit.DefaultAddress || len(o.Nodes) != 1 || o.progress != "auto" || o.Jobs != defaultJobs || o.Dist != "dist" || o.DryRun {
		t.Errorf("nodes %v progress %q jobs %d dist %q dry-run %t", o.Nodes, o.progress, o.Jobs, o.Dist, o.DryRun)
	}
	if len(p.Envoy) != 0 || len(p.EnvoySHA256) != 0 || len(o.Registries.Insecure) != 0 {
		t.Errorf("envoy %v pins %v insecure %v", p.Envoy, p.EnvoySHA256, o.Registries.Insecure)
	}
}

func TestRequired(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--hub", "registry.example.com/istio"}, "--version is required"},
		{[]string{"--version", "1.14.3"}, "--hub is required"},
	} {
		if _, err := parse(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.args, err, tc.want)
		}
	}
}

// Precedence: flags, then ISTIO_MAB_* environment, then --config, then defaults.
func TestPrecedence(t *testing.T) {
	config := `hub: config.example.com/istio
push: false
platforms: linux/arm64
variants: distroless
jobs: 2
tag: from-config
envoy:
  - linux/arm64=https://config.example.com/envoy.tar.gz
`
	for _, tc := range []struct {
		name      string
		config    bool
		env       map[string]string
		args      []string
		hub       string
		push      bool
		platforms []string
		variants  []string
		jobs      int
		tag       string
	}{
		{
			name: "defaults", hub: "registry.example.com/istio", args: []string{"--hub", "registry.example.com/istio"},
			push: true, platforms: []string{"linux/amd64", "linux/arm64"}, variants: []string{"debug"}, jobs: 4,
		},
		{
			name: "config over defaults", config: true,
			hub: "config.example.com/istio", push: false, platforms: []string{"linux/arm64"}, variants: []string{"distroless"}, jobs: 2, tag: "from-config",
		},
		{
			name: "env over config", config: true,
			env: map[string]string{"ISTIO_MAB_HUB": "env.example.com/istio", "ISTIO_MAB_PUSH": "true", "ISTIO_MAB_PLATFORMS": "linux/amd64", "ISTIO_MAB_JOBS": "8"},
			hub: "env.example.com/istio", push: true, platforms: []string{"linux/amd64"}, variants: []string{"distroless"}, jobs: 8, tag: "from-config",
		},
		{
			name: "env over defaults",
			env:  map[string]string{"ISTIO_MAB_HUB": "env.example.com/istio", "ISTIO_MAB_PUSH": "false", "ISTIO_MAB_VARIANTS": "debug,distroless"},
			hub:  "env.example.com/istio", push: false, platforms: []string{"linux/amd64", "linux/arm64"}, variants: []string{"debug", "distroless"}, jobs: 4,
		},
		{
			name:   "flags over env and config",
			config: true,
			env:    map[string]string{"ISTIO_MAB_HUB": "env.example.com/istio", "ISTIO_MAB_PUSH": "false", "ISTIO_MAB_PLATFORMS": "linux/amd64", "ISTIO_MAB_TAG": "from-env"},
			args:   []string{"--hub", "flag.example.com/istio", "--push=true", "--platforms", "linux/arm64,linux/amd64", "--variants", "debug", "--jobs", "1", "--tag", "from-flag"},
			hub:    "flag.example.com/istio", push: true, platforms: []string{"linux/arm64", "linux/amd64"}, variants: []string{"debug"}, jobs: 1, tag: "from-flag",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := append([]string{"--version", "1.14.3"}, tc.args...)
			if tc.config {
				args = append(args, "--config", writeFile(t, "istio-mab.yaml", config))
			}
			o := mustParse(t, args...)
			p := o.Options
			if p.Hub != tc.hub || p.Push != tc.push || o.Jobs != tc.jobs || p.Tag != tc.tag {
				t.Errorf("hub %q push %t jobs %d tag %q; want %q %t %d %q", p.Hub, p.Push, o.Jobs, p.Tag, tc.hub, tc.push, tc.jobs, tc.tag)
			}
			if got := formats(p.Platforms); !slices.Equal(got, tc.platforms) {
				t.Errorf("platforms %v, want %v", got, tc.platforms)
			}
			if !slices.Equal(p.Variants, tc.variants) {
				t.Errorf("variants %v, want %v", p.Variants, tc.variants)
			}
			if tc.config {
				if e := p.Envoy["linux/arm64"]; e.Ref != "https://config.example.com/envoy.tar.gz" || !e.Tarball {
					t.Errorf("envoy from config %+v", p.Envoy)
				}
			}
		})
	}
}

func TestConfigFileErrors(t *testing.T) {
	cleanEnv(t)
	for _, path := range []string{
		filepath.Join(t.TempDir(), "missing.yaml"),
		writeFile(t, "bad.yaml", "hub: [unclosed\n"),
	} {
		if _, err := parse(t, "--version", "1.14.3", "--config", path); err == nil || !strings.Contains(err.Error(), "reading config "+path) {
			t.Errorf("config %s: error %v, want one naming the file", path, err)
		}
	}
}

func TestHub(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		hub, want string
		ok        bool
	}{
		{"registry.example.com/istio", "registry.example.com/istio", true},
		{"registry.example.com/istio/", "registry.example.com/istio", true},
		{"localhost:5000/istio", "localhost:5000/istio", true},
		{"docker.io/istio", "docker.io/istio", true},
		{"registry.example.com/team/istio", "registry.example.com/team/istio", true},
		// Docker's rules: a first component without "." or ":" that is not
		// localhost names a Docker Hub namespace, as Istio's HUB does.
		{"myreg", "docker.io/myreg", true},
		{"myreg/sub", "docker.io/myreg/sub", true},
		{"istio/", "docker.io/istio", true},
		{"localhost/istio", "localhost/istio", true},
		{"localhost:5000/x", "localhost:5000/x", true},
		{"reg.example.com/x", "reg.example.com/x", true},
		{"MyReg", "", false},
		{"http://x/istio", "", false},
		{"https://registry.example.com/istio", "", false},
		{"UPPER/istio", "", false},
		{"registry.example.com/Istio", "", false},
		{"x/istio:tag", "", false},
		{"x/istio@sha256:" + pin, "", false},
		{"x/is tio", "", false},
	} {
		t.Run(tc.hub, func(t *testing.T) {
			o, err := parse(t, "--version", "1.14.3", "--hub", tc.hub)
			if tc.ok {
				if err != nil || o.Options.Hub != tc.want {
					t.Errorf("hub %q, error %v; want %q", o.Options.Hub, err, tc.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("accepted as %q", o.Options.Hub)
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, "--hub") || !strings.Contains(msg, "registry.example.com/istio") {
				t.Errorf("error %q: want one line naming --hub and the form registry.example.com/istio", msg)
			}
		})
	}
	if _, err := parse(t, "--version", "1.14.3", "--hub", ""); err == nil || !strings.Contains(err.Error(), "--hub is required") {
		t.Errorf("empty hub: error %v, want --hub is required", err)
	}
}

// A Docker Hub shorthand is said aloud; an explicit hub is not.
func TestHubResolutionIsPrinted(t *testing.T) {
	cleanEnv(t)
	for hub, want := range map[string]string{
		"myreg":                      "hub myreg resolves to docker.io/myreg (Docker Hub)",
		"registry.example.com/istio": "",
		"docker.io/istio":            "",
	} {
		var f buildFlags
		cmd := &cobra.Command{Use: "build"}
		f.register(cmd)
		var stderr strings.Builder
		cmd.SetErr(&stderr)
		if err := cmd.ParseFlags([]string{"--version", "1.14.3", "--hub", hub}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.options(cmd); err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(stderr.String()); (want == "" && got != "") || !strings.Contains(got, want) {
			t.Errorf("--hub %s printed %q, want %q", hub, got, want)
		}
	}
}

func TestPlatforms(t *testing.T) {
	cleanEnv(t)
	arm64Only := writeFile(t, "platforms.yaml", "platforms:\n  - linux/arm64\n")
	for _, tc := range []struct {
		name string
		args []string
		want []string
		err  string
	}{
		{name: "embedded", want: []string{"linux/amd64", "linux/arm64"}},
		{name: "file replaces embedded", args: []string{"--platforms-file", arm64Only}, want: []string{"linux/arm64"}},
		{name: "flag over file", args: []string{"--platforms-file", arm64Only, "--platforms", "linux/amd64"}, want: []string{"linux/amd64"}},
		{name: "spaces and empties", args: []string{"--platforms", " linux/arm64 ,,linux/amd64"}, want: []string{"linux/arm64", "linux/amd64"}},
		{name: "unsupported", args: []string{"--platforms", "linux/amd64,linux/s390x"}, err: `unsupported platform "linux/s390x"`},
		{name: "unsupported arm", args: []string{"--platforms", "linux/arm/v7"}, err: `unsupported platform "linux/arm/v7"`},
		{name: "windows", args: []string{"--platforms", "windows/amd64"}, err: "linux/amd64, linux/arm64"},
		{name: "garbage", args: []string{"--platforms", "not a platform"}, err: "unsupported platform"},
		{name: "missing file", args: []string{"--platforms-file", filepath.Join(t.TempDir(), "nope.yaml")}, err: "--platforms-file"},
		{name: "empty file", args: []string{"--platforms-file", writeFile(t, "empty.yaml", "platforms: []\n")}, err: "platforms:"},
		{name: "unsupported in file", args: []string{"--platforms-file", writeFile(t, "p.yaml", "platforms: [linux/ppc64le]\n")}, err: `unsupported platform "linux/ppc64le"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(t, base(tc.args...)...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Errorf("error %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := formats(o.Options.Platforms); !slices.Equal(got, tc.want) {
				t.Errorf("platforms %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEnvoyFlag(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	tarball := filepath.Join(dir, "envoy.tar.gz")
	raw := filepath.Join(dir, "envoy")
	if err := os.WriteFile(tarball, []byte{0x1f, 0x8b, 0x08, 0x00}, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(raw, []byte("\x7fELF\x02\x01\x01"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, tc := range []struct {
		name  string
		value string
		want  map[string]plan.Envoy
		err   string
	}{
		{name: "url tarball", value: "linux/arm64=https://example.com/envoy-alpha-abc-arm64.tar.gz",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyURL, Ref: "https://example.com/envoy-alpha-abc-arm64.tar.gz", Tarball: true}}},
		{name: "url tgz", value: "linux/arm64=https://example.com/envoy.tgz",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyURL, Ref: "https://example.com/envoy.tgz", Tarball: true}}},
		{name: "url raw", value: "linux/arm64=https://example.com/envoy",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyURL, Ref: "https://example.com/envoy"}}},
		{name: "absolute tarball file", value: "linux/arm64=" + tarball,
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyFile, Ref: tarball, Tarball: true}}},
		{name: "relative raw file", value: "linux/arm64=./envoy",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyFile, Ref: raw}}},
		{name: "bare file name", value: "linux/arm64=envoy.tar.gz",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyFile, Ref: tarball, Tarball: true}}},
		{name: "image", value: "linux/arm64=registry.example.com/istio/proxyv2:1.14.3",
			want: map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyImage, Ref: "registry.example.com/istio/proxyv2:1.14.3"}}},
		{name: "two at once", value: "linux/amd64=https://example.com/a.tar.gz,linux/arm64=registry.example.com/istio/proxyv2:1.14.3",
			want: map[string]plan.Envoy{
				"linux/amd64": {Kind: plan.EnvoyURL, Ref: "https://example.com/a.tar.gz", Tarball: true},
				"linux/arm64": {Kind: plan.EnvoyImage, Ref: "registry.example.com/istio/proxyv2:1.14.3"},
			}},
		{name: "missing relative file", value: "linux/arm64=./nope", err: "no such file ./nope"},
		{name: "missing absolute file", value: "linux/arm64=/nonexistent/envoy", err: "no such file /nonexistent/envoy"},
		{name: "directory", value: "linux/arm64=" + dir, err: "no such file"},
		{name: "no platform", value: "https://example.com/envoy.tar.gz", err: "want PLATFORM=SOURCE"},
		{name: "empty source", value: "linux/arm64=", err: "want PLATFORM=SOURCE"},
		{name: "bad platform", value: "linux/arm64/v8/x=https://example.com/e", err: "want PLATFORM=SOURCE"},
		{name: "not a reference", value: "linux/arm64=Not An Image!", err: "neither a URL, an existing file, nor an image reference"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o, err := parse(t, base("--envoy", tc.value)...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--envoy") {
					t.Errorf("error %v, want one naming --envoy and %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Options.Envoy) != len(tc.want) {
				t.Fatalf("envoys %+v, want %+v", o.Options.Envoy, tc.want)
			}
			for k, want := range tc.want {
				got := o.Options.Envoy[k]
				if got.Kind == plan.EnvoyFile {
					got.Ref, want.Ref = realPath(t, got.Ref), realPath(t, want.Ref)
				}
				if got != want {
					t.Errorf("%s: %+v, want %+v", k, got, want)
				}
			}
		})
	}
}

func realPath(t *testing.T, p string) string {
	t.Helper()
	if !filepath.IsAbs(p) {
		t.Errorf("file Envoy %q is not absolute", p)
	}
	r, err := filepath.EvalSymlinks(p)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestEnvoyFlagRepeatedAndFromEnv(t *testing.T) {
	cleanEnv(t)
	o := mustParse(t, base("--envoy", "linux/amd64=https://example.com/a.tar.gz", "--envoy", "linux/arm64=https://example.com/b")...)
	if len(o.Options.Envoy) != 2 || o.Options.Envoy["linux/arm64"].Tarball {
		t.Errorf("repeated --envoy: %+v", o.Options.Envoy)
	}

	t.Setenv("ISTIO_MAB_ENVOY", "linux/amd64=https://example.com/a.tar.gz linux/arm64=https://example.com/b.tar.gz")
	t.Setenv("ISTIO_MAB_ENVOY_SHA256", "linux/arm64="+pin)
	o = mustParse(t, base()...)
	if len(o.Options.Envoy) != 2 || o.Options.Envoy["linux/arm64"].Ref != "https://example.com/b.tar.gz" {
		t.Errorf("ISTIO_MAB_ENVOY: %+v", o.Options.Envoy)
	}
	if o.Options.EnvoySHA256["linux/arm64"] != pin {
		t.Errorf("ISTIO_MAB_ENVOY_SHA256: %v", o.Options.EnvoySHA256)
	}
}

func TestEnvoySHA256Flag(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		value string
		want  map[string]string
		err   string
	}{
		{value: "linux/arm64=" + pin, want: map[string]string{"linux/arm64": pin}},
		{value: "linux/arm64=sha256:" + pin, want: map[string]string{"linux/arm64": pin}},
		{value: "linux/arm64=" + strings.ToUpper(pin), want: map[string]string{"linux/arm64": pin}},
		{value: "linux/arm64=SHA256:" + strings.ToUpper(pin), want: map[string]string{"linux/arm64": pin}},
		{value: "linux/amd64=" + pin + ",linux/arm64=" + pin, want: map[string]string{"linux/amd64": pin, "linux/arm64": pin}},
		{value: "linux/arm64=" + pin[:63], err: "not a sha256"},
		{value: "linux/arm64=" + pin + "0", err: "not a sha256"},
		{value: "linux/arm64=" + strings.Repeat("g", 64), err: "not a sha256"},
		{value: "linux/arm64=sha512:" + pin, err: "not a sha256"},
		{value: pin, err: "want PLATFORM=HEX"},
	} {
		t.Run(tc.value, func(t *testing.T) {
			o, err := parse(t, base("--envoy-sha256", tc.value)...)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "--envoy-sha256") {
					t.Errorf("error %v, want one naming --envoy-sha256 and %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(o.Options.EnvoySHA256) != len(tc.want) {
				t.Errorf("pins %v, want %v", o.Options.EnvoySHA256, tc.want)
			}
			for k, v := range tc.want {
				if o.Options.EnvoySHA256[k] != v {
					t.Errorf("pins %v, want %v", o.Options.EnvoySHA256, tc.want)
				}
			}
		})
	}
}

func TestProgress(t *testing.T) {
	cleanEnv(t)
	for _, mode := range buildkit.Modes {
		if o, err := parse(t, base("--progress", mode)...); err != nil || o.progress != mode {
			t.Errorf("--progress %s: %q, %v", mode, o.progress, err)
		}
	}
	for _, mode := range []string{"fancy", "", "PLAIN"} {
		if _, err := parse(t, base("--progress", mode)...); err == nil || !strings.Contains(err.Error(), "--progress") || !strings.Contains(err.Error(), "plain") {
			t.Errorf("--progress %q: error %v, want one naming the flag and the modes", mode, err)
		}
	}
}

func TestBuildkitAddr(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		flag string
		want string
	}{
		{name: "default", want: buildkit.DefaultAddress},
		{name: "BUILDKIT_HOST", env: map[string]string{"BUILDKIT_HOST": "tcp://buildkit:1234"}, want: "tcp://buildkit:1234"},
		{name: "ISTIO_MAB_BUILDKIT_ADDR over BUILDKIT_HOST", env: map[string]string{"BUILDKIT_HOST": "tcp://buildkit:1234", "ISTIO_MAB_BUILDKIT_ADDR": "tcp://mab:1"}, want: "tcp://mab:1"},
		{name: "flag over both", env: map[string]string{"BUILDKIT_HOST": "tcp://buildkit:1234", "ISTIO_MAB_BUILDKIT_ADDR": "tcp://mab:1"}, flag: "docker-container://buildkitd", want: "docker-container://buildkitd"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cleanEnv(t)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := base()
			if tc.flag != "" {
				args = append(args, "--buildkit-addr", tc.flag)
			}
			if o := mustParse(t, args...); o.Nodes[0].Address != tc.want {
				t.Errorf("addr %q, want %q", o.Nodes[0].Address, tc.want)
			}
		})
	}
}

func TestSource(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	for _, tc := range []struct {
		source string
		want   plan.Source
	}{
		{dir, plan.Source{Dir: dir}},
		{"https://github.com/istio/istio.git", plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/1.14.3"}},
		{"https://mirror.example.com/istio.git", plan.Source{GitURL: "https://mirror.example.com/istio.git", Ref: "refs/tags/1.14.3"}},
	} {
		if o := mustParse(t, base("--source", tc.source)...); o.Options.Source != tc.want {
			t.Errorf("--source %s: %+v, want %+v", tc.source, o.Options.Source, tc.want)
		}
	}
	// A file is not a source tree, nor a git URL.
	file := writeFile(t, "istio.tar", "x")
	if _, err := parse(t, base("--source", file)...); err == nil {
		t.Errorf("--source %s (a file) accepted", file)
	}
}

func TestInsecureRegistry(t *testing.T) {
	cleanEnv(t)
	o := mustParse(t, base("--insecure-registry", "localhost:5000", "--insecure-registry", "registry.local:5443")...)
	if !slices.Equal(o.Registries.Insecure, []string{"localhost:5000", "registry.local:5443"}) {
		t.Errorf("insecure %v", o.Registries.Insecure)
	}
	if _, err := parse(t, base("--insecure-registry", "http://localhost:5000")...); err == nil {
		t.Errorf("--insecure-registry with a scheme accepted")
	}
	if _, err := parse(t, base("--registry-ca", filepath.Join(t.TempDir(), "missing.pem"))...); err == nil {
		t.Errorf("missing --registry-ca accepted")
	}
}

// A config file may give list settings as YAML lists, as it does for envoy.
func TestConfigLists(t *testing.T) {
	cleanEnv(t)
	config := writeFile(t, "istio-mab.yaml", `hub: registry.example.com/istio
platforms:
  - linux/arm64
images: [pilot]
variants: [debug, distroless]
`)
	o := mustParse(t, "--version", "1.14.3", "--config", config)
	if got := formats(o.Options.Platforms); !slices.Equal(got, []string{"linux/arm64"}) {
		t.Errorf("platforms %v, want the config's [linux/arm64]", got)
	}
	if !slices.Equal(o.Options.Images, []string{"pilot"}) || !slices.Equal(o.Options.Variants, []string{"debug", "distroless"}) {
		t.Errorf("images %v variants %v, want the config's [pilot] and [debug distroless]", o.Options.Images, o.Options.Variants)
	}
}

func TestSourceTypoIsAnError(t *testing.T) {
	cleanEnv(t)
	_, err := parse(t, base("--source", "./no-such-istio-checkout")...)
	if err == nil || !strings.Contains(err.Error(), "--source ./no-such-istio-checkout: no such directory") {
		t.Fatalf("got %v", err)
	}
}

func TestArm64V8IsArm64AndRepeatsAreRefused(t *testing.T) {
	cleanEnv(t)
	o := mustParse(t, base("--platforms", "linux/arm64/v8,linux/amd64")...)
	if len(o.Options.Platforms) != 2 || o.Options.Platforms[0].Architecture != "arm64" || o.Options.Platforms[0].Variant != "" {
		t.Fatalf("platforms %+v, want linux/arm64 then linux/amd64", o.Options.Platforms)
	}
	for _, list := range []string{"linux/arm64/v8,linux/amd64,linux/arm64", "linux/amd64,linux/amd64", ","} {
		if _, err := parse(t, base("--platforms", list)...); err == nil {
			t.Errorf("--platforms %q accepted", list)
		}
	}
}

func TestSignedTarballURL(t *testing.T) {
	cleanEnv(t)
	o, err := parse(t, base("--envoy", "linux/arm64=https://bucket.example.com/envoy-alpha-abc-arm64.tar.gz?X-Amz-Signature=x")...)
	if e := o.Options.Envoy["linux/arm64"]; err != nil || !e.Tarball {
		t.Fatalf("got %+v, %v: want a tarball URL", e, err)
	}
}

func TestGoChoice(t *testing.T) {
	cleanEnv(t)
	for _, choice := range []string{"minor", "upstream", "1.22.7", "1.23"} {
		if o, err := parse(t, base("--go", choice)...); err != nil || o.Go != choice {
			t.Errorf("--go %s: %q, %v", choice, o.Go, err)
		}
	}
	for args, want := range map[string]string{
		"--go=go1.22":                   `--go "go1.22": want minor, upstream or a Go version`,
		"--go=1.22.7 --go-image=golang": "--go and --go-image both choose the Go builder: give one",
	} {
		if _, err := parse(t, base(strings.Fields(args)...)...); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", args, err, want)
		}
	}
}
