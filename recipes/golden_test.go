package recipes_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current recipes")

// suppliedEnvoy stands in for a community arm64 Envoy where upstream has none.
const suppliedEnvoy = "https://example.com/envoy-arm64.tar.gz"

// options are the same for every release line, so goldens differ only by recipe.
func options(version string, envoy map[string]plan.Envoy) plan.Options {
	return plan.Options{
		Version:      version,
		Hub:          "registry.example.com/istio",
		Platforms:    []ocispecs.Platform{platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")},
		Variants:     []string{"debug", "distroless"},
		Source:       plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/" + version},
		Envoy:        envoy,
		BaseRegistry: "mirror.example.com/istio-release",
	}
}

func facts(version string) plan.Facts {
	return plan.Facts{
		Version:     version,
		Commit:      "0123456789abcdef0123456789abcdef01234567",
		CommitTime:  1700000000,
		ProxySHA:    "fedcba9876543210fedcba9876543210fedcba98",
		BaseVersion: "base-2024-01-01T00-00-00",
	}
}

func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		version     string
		supplyArm64 bool // upstream published no arm64 Envoy for the line
	}{
		{"1.12.0", true},
		{"1.13.0", true},
		{"1.14.3", true},
		{"1.14.6", true},
		{"1.15.0", false},
		{"1.16.7", false},
		{"1.17.0", false},
		{"1.18.0", false},
		{"1.20.0", false},
		{"1.21.0", false},
		{"1.22.0", false},
		{"1.23.0", false},
		{"1.23.1", false}, // Go 1.22 up to 1.23.5, as upstream
		{"1.23.5", false},
		{"1.23.6", false},
		{"1.24.0", false},
		{"1.30.0", false},
	} {
		t.Run(tc.version, func(t *testing.T) {
			sel, err := recipes.Select(tc.version)
			if err != nil {
				t.Fatal(err)
			}
			if sel.Warning != "" {
				t.Errorf("Select(%s) warned: %s", tc.version, sel.Warning)
			}
			var envoy map[string]plan.Envoy
			if tc.supplyArm64 {
				envoy = map[string]plan.Envoy{"linux/arm64": {Kind: plan.EnvoyURL, Ref: suppliedEnvoy, Tarball: true}}
			}
			p, err := plan.New(options(tc.version, envoy), sel.Recipe, facts(tc.version))
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			plan.Render(&got, p)
			path := filepath.Join("testdata", "golden", tc.version+".txt")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./recipes -run TestGolden -update)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("plan for %s differs from %s (rerun with -update and review the diff):\n%s", tc.version, path, got.String())
			}
		})
	}
}

func TestSelectEveryLineWithoutWarning(t *testing.T) {
	all, err := recipes.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) == 0 || all[0].Line != "1.12" {
		t.Fatalf("oldest line: want 1.12, have %v", lines(all))
	}
	seen := map[string]bool{}
	for _, r := range all {
		if seen[r.Line] {
			t.Errorf("line %s defined twice", r.Line)
		}
		seen[r.Line] = true
		for _, v := range []string{r.Line + ".0", r.Line + ".7", r.Line + ".0-beta.1"} {
			sel, err := recipes.Select(v)
			if err != nil {
				t.Errorf("Select(%s): %v", v, err)
				continue
			}
			if sel.Recipe.Line != r.Line || sel.Warning != "" {
				t.Errorf("Select(%s) = line %s, warning %q; want line %s, no warning", v, sel.Recipe.Line, sel.Warning, r.Line)
			}
		}
	}
	for minor := 12; minor <= 31; minor++ {
		if l := "1." + strconv.Itoa(minor); !seen[l] {
			t.Errorf("no recipe for line %s", l)
		}
	}
}

// What upstream's own build files say changed within a line, patch by patch.
func TestSelectByPatch(t *testing.T) {
	for _, tc := range []struct {
		version, goImage string
		linknameFix      bool
		proxyVersion     string
	}{
		{"1.12.9", "golang:1.17", true, "istio-proxy:{{.ProxySHA}}"},
		{"1.13.9", "golang:1.17", true, "{{.ProxySHA}}"},
		{"1.14.5", "golang:1.18", true, "{{.ProxySHA}}"},
		{"1.14.6", "golang:1.18", false, "{{.ProxySHA}}"},
		{"1.15.3", "golang:1.19", true, "{{.ProxySHA}}"},
		{"1.15.4", "golang:1.19", false, "{{.ProxySHA}}"},
		{"1.16.7", "golang:1.19", false, "{{.ProxySHA}}"},
		{"1.17.0", "golang:1.20", false, "{{.ProxySHA}}"},
		{"1.17.8", "golang:1.20", false, "{{.ProxySHA}}"},
		{"1.21.4", "golang:1.22", false, "{{.ProxySHA}}"},
		{"1.23.0", "golang:1.22", false, "{{.ProxySHA}}"},
		{"1.23.6", "golang:1.23", false, "{{.ProxySHA}}"},
	} {
		sel, err := recipes.Select(tc.version)
		if err != nil {
			t.Fatal(err)
		}
		r := sel.Recipe
		if r.GoImage != "docker.io/library/"+tc.goImage || r.LinknameFix != tc.linknameFix || r.BuildArgs["proxy_version"] != tc.proxyVersion {
			t.Errorf("%s: go image %s, linkname fix %t, proxy_version %q; want %s, %t, %q",
				tc.version, r.GoImage, r.LinknameFix, r.BuildArgs["proxy_version"], tc.goImage, tc.linknameFix, tc.proxyVersion)
		}
	}
}

// Every line whose Dockerfiles declare ISTIO_BASE_REGISTRY (1.17+) gets it
// as upstream's Makefile passes it: the line's base registry.
func TestIstioBaseRegistryPassed(t *testing.T) {
	all, err := recipes.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		got, ok := r.BuildArgs["ISTIO_BASE_REGISTRY"]
		minor, _ := strconv.Atoi(strings.TrimPrefix(r.Line, "1."))
		if want := minor >= 17; ok != want || (ok && got != r.BaseRegistry) {
			t.Errorf("line %s: ISTIO_BASE_REGISTRY %q (set %t), want it set to %s: %t", r.Line, got, ok, r.BaseRegistry, want)
		}
	}
}

func TestSelectFutureVersionWarns(t *testing.T) {
	all, err := recipes.Load()
	if err != nil {
		t.Fatal(err)
	}
	newest := all[len(all)-1].Line
	sel, err := recipes.Select("1.99.0")
	if err != nil {
		t.Fatal(err)
	}
	if sel.Recipe.Line != newest {
		t.Errorf("Select(1.99.0) = line %s, want the newest line %s", sel.Recipe.Line, newest)
	}
	if !strings.Contains(sel.Warning, "1.99.0") || !strings.Contains(sel.Warning, newest) {
		t.Errorf("Select(1.99.0) warning %q should name the version and the line used", sel.Warning)
	}
}

func TestSelectTooOld(t *testing.T) {
	if sel, err := recipes.Select("1.11.0"); err == nil {
		t.Errorf("Select(1.11.0) = line %s, want an error", sel.Recipe.Line)
	} else if !strings.Contains(err.Error(), "1.12") {
		t.Errorf("Select(1.11.0) error %q should name the oldest line 1.12", err)
	}
}

func TestNoUpstreamArm64EnvoyNamesTheFlag(t *testing.T) {
	for _, v := range []string{"1.12.0", "1.13.0", "1.14.3"} {
		sel, err := recipes.Select(v)
		if err != nil {
			t.Fatal(err)
		}
		_, err = plan.New(options(v, nil), sel.Recipe, facts(v))
		if err == nil || !strings.Contains(err.Error(), "--envoy linux/arm64=") {
			t.Errorf("%s without --envoy: error %v, want one naming --envoy linux/arm64=", v, err)
		}
	}
}

// Every recipe must name the files the fixtures' and upstream's Dockerfiles COPY.
func TestRecipesAreComplete(t *testing.T) {
	all, err := recipes.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range all {
		if r.VersionPackage == "" || r.GoImage == "" || r.BaseRegistry == "" || r.Envoy.BaseURL == "" || len(r.Archives) == 0 {
			t.Errorf("line %s: missing versionPackage, goImage, baseRegistry, envoy.baseURL or archives", r.Line)
		}
		for _, img := range []string{"pilot", "proxyv2"} {
			spec, ok := r.Images[img]
			if !ok {
				t.Errorf("line %s: no %s image", r.Line, img)
				continue
			}
			if spec.Bases["debug"] == "" || spec.Bases["distroless"] == "" {
				t.Errorf("line %s: %s lacks a debug or distroless base", r.Line, img)
			}
			for _, b := range spec.Binaries {
				if _, ok := r.Binaries[b]; !ok {
					t.Errorf("line %s: %s needs binary %s the recipe does not build", r.Line, img, b)
				}
			}
		}
		if _, ok := r.Images["proxyv2"].Files["envoy_bootstrap.json"]; !ok {
			t.Errorf("line %s: proxyv2 lacks envoy_bootstrap.json", r.Line)
		}
	}
}

func lines(rs []recipes.Recipe) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Line
	}
	return out
}

// A version newer than every line builds what its tree says: here a 1.32
// tree whose Makefile.core.mk adds a build tag to AGENT_TAGS.
func TestGoldenFromTree(t *testing.T) {
	const version = "1.32.0"
	sel, err := recipes.Select(version)
	if err != nil {
		t.Fatal(err)
	}
	f := facts(version)
	f.Tree = plan.Tree{
		Tags: map[string][]string{
			"AGENT_TAGS":    {"agent", "disable_pgv", "grpcnotrace", "retrynotrace", "nohttp3"},
			"STANDARD_TAGS": {"vtprotobuf", "disable_pgv"},
		},
		BaseRegistry: "registry.istio.io/release",
		EnvoyBaseURL: "https://blob.istio.io/istio-build/proxy",
	}
	p, err := plan.New(options(version, nil), sel.Recipe, f)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	plan.Render(&got, p)
	path := filepath.Join("testdata", "golden", version+".txt")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil || !bytes.Equal(got.Bytes(), want) {
		t.Errorf("plan for %s differs from %s (rerun with -update and review the diff):\n%s", version, path, got.String())
	}
}
