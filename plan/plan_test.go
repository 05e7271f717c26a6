package plan_test

import (
	"bytes"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

const (
	commit   = "0123456789abcdef0123456789abcdef01234567"
	proxySHA = "fedcba9876543210fedcba9876543210fedcba98"
	envoyURL = "https://storage.googleapis.com/istio-build/proxy"
	pin      = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

var (
	amd64 = platforms.MustParse("linux/amd64")
	arm64 = platforms.MustParse("linux/arm64")
)

// recipe is a small release line in the shape of recipes/lines/1.14.yaml.
func recipe() recipes.Recipe {
	files := map[string]string{"envoy_bootstrap.json": "tools/packaging/common/envoy_bootstrap.json"}
	return recipes.Recipe{
		Line:           "1.14",
		VersionPackage: "istio.io/pkg/version",
		GoImage:        "docker.io/library/golang:1.18",
		LinknameFix:    true,
		Binaries: map[string]recipes.Binary{
			"istioctl":        {Package: "./istioctl/cmd/istioctl"},
			"pilot-discovery": {Package: "./pilot/cmd/pilot-discovery"},
			"pilot-agent":     {Package: "./pilot/cmd/pilot-agent", Tags: []string{"agent"}},
		},
		Images: map[string]recipes.Image{
			"pilot": {
				Dockerfile: "pilot/docker/Dockerfile.pilot", Binaries: []string{"pilot-discovery"}, Files: files,
				Bases: map[string]string{"debug": "base", "distroless": "distroless"},
			},
			"proxyv2": {
				Dockerfile: "pilot/docker/Dockerfile.proxyv2", Binaries: []string{"pilot-agent"}, Envoy: true, Wasm: true, Files: files,
				Bases: map[string]string{"debug": "base", "distroless": "iptables"},
			},
		},
		BuildArgs: map[string]string{
			"BASE_VERSION":  "{{.BaseVersion}}",
			"proxy_version": "istio-proxy:{{.ProxySHA}}",
			"istio_version": "{{.Version}}",
			"SIDECAR":       "envoy",
		},
		BaseRegistry: "gcr.io/istio-release",
		Envoy:        recipes.Envoy{BaseURL: envoyURL, Arches: []string{"amd64", "arm64"}},
		Archives: []recipes.Archive{
			{Platform: "linux/amd64", Name: "istioctl-{{.Version}}-linux-amd64.tar.gz"},
			{Platform: "linux/arm64", Name: "istioctl-{{.Version}}-linux-arm64.tar.gz"},
			{Platform: "windows/amd64", Name: "istioctl-{{.Version}}-win.zip"},
		},
	}
}

func options() plan.Options {
	return plan.Options{
		Version:   "1.14.3",
		Hub:       "registry.example.com/istio",
		Platforms: []ocispecs.Platform{amd64, arm64},
		Source:    plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/1.14.3"},
		Push:      true,
	}
}

func facts() plan.Facts {
	return plan.Facts{Version: "1.14.3", Commit: commit, CommitTime: 1700000000, ProxySHA: proxySHA, BaseVersion: "1.14-dev"}
}

func mustNew(t *testing.T, o plan.Options, r recipes.Recipe) plan.Plan {
	t.Helper()
	p, err := plan.New(o, r, facts())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func image(t *testing.T, p plan.Plan, name, variant string) plan.Image {
	t.Helper()
	for _, img := range p.Images {
		if img.Name == name && img.Variant == variant {
			return img
		}
	}
	t.Fatalf("plan has no %s (%s)", name, variant)
	return plan.Image{}
}

func TestDefaults(t *testing.T) {
	p := mustNew(t, options(), recipe())
	if p.GoImage != "docker.io/library/golang:1.18" || !p.LinknameFix || !p.Push {
		t.Errorf("go image %s, linkname fix %t, push %t: want the recipe's image, its fix, and push", p.GoImage, p.LinknameFix, p.Push)
	}
	if platforms.Format(p.BuildPlatform) != "linux/amd64" {
		t.Errorf("build platform %s, want linux/amd64 by default", platforms.Format(p.BuildPlatform))
	}
	var got []string
	for _, img := range p.Images {
		got = append(got, img.Name+"/"+img.Variant)
	}
	if want := []string{"pilot/debug", "proxyv2/debug"}; !slices.Equal(got, want) {
		t.Errorf("images %v, want %v (every recipe image, debug only)", got, want)
	}

	o := options()
	o.GoImage = "mirror.example.com/golang:1.26.8"
	o.BuildPlatform = arm64
	p = mustNew(t, o, recipe())
	if p.GoImage != o.GoImage || platforms.Format(p.BuildPlatform) != "linux/arm64" {
		t.Errorf("go image %s on %s, want the options' %s on linux/arm64", p.GoImage, platforms.Format(p.BuildPlatform), o.GoImage)
	}
}

func TestTags(t *testing.T) {
	for _, tc := range []struct {
		tag, variant string
		want         []string
	}{
		{"", "debug", []string{"1.14.3", "1.14.3-debug"}},
		{"", "distroless", []string{"1.14.3-distroless"}},
		{"1.14.3-mab.1", "debug", []string{"1.14.3-mab.1", "1.14.3-mab.1-debug"}},
		{"1.14.3-mab.1", "distroless", []string{"1.14.3-mab.1-distroless"}},
	} {
		o := options()
		o.Tag, o.Variants = tc.tag, []string{tc.variant}
		p := mustNew(t, o, recipe())
		for _, img := range p.Images {
			if !slices.Equal(img.Tags, tc.want) {
				t.Errorf("tag %q variant %s: %s tags %v, want %v", tc.tag, tc.variant, img.Name, img.Tags, tc.want)
			}
			if img.Repository != "registry.example.com/istio/"+img.Name {
				t.Errorf("repository %s, want registry.example.com/istio/%s", img.Repository, img.Name)
			}
		}
	}
}

func TestLDFlags(t *testing.T) {
	x := func(v string) string { return "-X istio.io/pkg/version." + v }
	base := "-extldflags -static -s -w " + strings.Join([]string{
		x("buildVersion=1.14.3-mab"), x("buildGitRevision=" + commit), x("buildStatus=Clean"),
		x("buildTag=1.14.3"), x("buildHub=registry.example.com/istio"),
	}, " ")
	for _, osArch := range []bool{false, true} {
		r := recipe()
		r.BuildOSArch = osArch
		o := options()
		o.Tag = "1.14.3-mab"
		for _, b := range mustNew(t, o, r).Binaries {
			want := base
			if osArch {
				want += " " + x("buildOS="+b.Platform.OS) + " " + x("buildArch="+b.Platform.Architecture)
			}
			if b.LDFlags != want {
				t.Errorf("buildOSArch %t, %s %s ldflags\n%s\nwant\n%s", osArch, b.Name, platforms.Format(b.Platform), b.LDFlags, want)
			}
		}
	}
}

func TestLDFlagsTagDefaultsToVersion(t *testing.T) {
	for _, b := range mustNew(t, options(), recipe()).Binaries {
		for _, v := range []string{"buildVersion=1.14.3 ", "buildTag=1.14.3 "} {
			if !strings.Contains(b.LDFlags, "-X istio.io/pkg/version."+v) {
				t.Errorf("%s ldflags %q: want %s", b.Name, b.LDFlags, v)
			}
		}
	}
}

func TestBinariesDeduplicated(t *testing.T) {
	o := options()
	o.Variants = []string{"debug", "distroless"}
	p := mustNew(t, o, recipe())
	var got []string
	for _, b := range p.Binaries {
		got = append(got, b.Name+"@"+platforms.Format(b.Platform))
	}
	want := []string{
		"pilot-discovery@linux/amd64", "pilot-discovery@linux/arm64",
		"pilot-agent@linux/amd64", "pilot-agent@linux/arm64",
		"istioctl@linux/amd64", "istioctl@linux/arm64", "istioctl@windows/amd64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("binaries\n%v\nwant\n%v", got, want)
	}
	for _, b := range p.Binaries {
		if b.Name == "pilot-agent" && (b.Package != "./pilot/cmd/pilot-agent" || !slices.Equal(b.Tags, []string{"agent"})) {
			t.Errorf("pilot-agent package %s tags %v, want the recipe's", b.Package, b.Tags)
		}
	}
}

func TestBinaryWithoutPackage(t *testing.T) {
	r := recipe()
	delete(r.Binaries, "istioctl")
	if _, err := plan.New(options(), r, facts()); err == nil || !strings.Contains(err.Error(), "istioctl") {
		t.Errorf("recipe without istioctl: error %v, want one naming istioctl", err)
	}
}

func TestArchives(t *testing.T) {
	p := mustNew(t, options(), recipe())
	var got []string
	for _, a := range p.Archives {
		got = append(got, a.Name+" "+platforms.Format(a.Platform))
	}
	want := []string{
		"istioctl-1.14.3-linux-amd64.tar.gz linux/amd64",
		"istioctl-1.14.3-linux-arm64.tar.gz linux/arm64",
		"istioctl-1.14.3-win.zip windows/amd64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("archives %v, want %v", got, want)
	}
}

func envoys(t *testing.T, p plan.Plan) map[string]plan.Envoy {
	t.Helper()
	out := map[string]plan.Envoy{}
	for _, ip := range image(t, p, "proxyv2", "debug").Platforms {
		if ip.Envoy == nil {
			t.Fatalf("proxyv2 %s has no Envoy", platforms.Format(ip.Platform))
		}
		out[platforms.Format(ip.Platform)] = *ip.Envoy
	}
	for _, ip := range image(t, p, "pilot", "debug").Platforms {
		if ip.Envoy != nil {
			t.Errorf("pilot %s has an Envoy", platforms.Format(ip.Platform))
		}
	}
	return out
}

func TestEnvoy(t *testing.T) {
	upstream := func(suffix string) plan.Envoy {
		return plan.Envoy{Kind: plan.EnvoyURL, Ref: envoyURL + "/envoy-alpha-" + proxySHA + suffix + ".tar.gz", Tarball: true}
	}
	file := plan.Envoy{Kind: plan.EnvoyFile, Ref: "/builds/envoy-arm64", Tarball: false}
	pinned := func(e plan.Envoy) plan.Envoy { e.SHA256 = pin; return e }
	for _, tc := range []struct {
		name    string
		arches  []string
		baseURL string
		envoy   map[string]plan.Envoy
		pins    map[string]string
		want    map[string]plan.Envoy
	}{
		{
			name:   "upstream for both",
			arches: []string{"amd64", "arm64"},
			want:   map[string]plan.Envoy{"linux/amd64": upstream(""), "linux/arm64": upstream("-arm64")},
		},
		{
			name:    "mirror base URL",
			arches:  []string{"amd64", "arm64"},
			baseURL: "https://mirror.example.com/proxy",
			want: map[string]plan.Envoy{
				"linux/amd64": {Kind: plan.EnvoyURL, Ref: "https://mirror.example.com/proxy/envoy-alpha-" + proxySHA + ".tar.gz", Tarball: true},
				"linux/arm64": {Kind: plan.EnvoyURL, Ref: "https://mirror.example.com/proxy/envoy-alpha-" + proxySHA + "-arm64.tar.gz", Tarball: true},
			},
		},
		{
			name:   "supplied where upstream has none",
			arches: []string{"amd64"},
			envoy:  map[string]plan.Envoy{"linux/arm64": file},
			want:   map[string]plan.Envoy{"linux/amd64": upstream(""), "linux/arm64": file},
		},
		{
			name:   "supplied wins over upstream",
			arches: []string{"amd64", "arm64"},
			envoy:  map[string]plan.Envoy{"linux/arm64": file},
			want:   map[string]plan.Envoy{"linux/amd64": upstream(""), "linux/arm64": file},
		},
		{
			name:   "pins on upstream and supplied",
			arches: []string{"amd64"},
			envoy:  map[string]plan.Envoy{"linux/arm64": file},
			pins:   map[string]string{"linux/amd64": pin, "linux/arm64": pin},
			want:   map[string]plan.Envoy{"linux/amd64": pinned(upstream("")), "linux/arm64": pinned(file)},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := recipe()
			r.Envoy.Arches = tc.arches
			o := options()
			o.EnvoyBaseURL, o.Envoy, o.EnvoySHA256 = tc.baseURL, tc.envoy, tc.pins
			got := envoys(t, mustNew(t, o, r))
			if !maps.Equal(got, tc.want) {
				t.Errorf("envoys\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}

func TestEnvoyMissing(t *testing.T) {
	r := recipe()
	r.Envoy.Arches = []string{"amd64"}
	_, err := plan.New(options(), r, facts())
	if err == nil || !strings.Contains(err.Error(), "--envoy linux/arm64=") || !strings.Contains(err.Error(), "1.14") {
		t.Errorf("error %v, want one naming --envoy linux/arm64= and the line", err)
	}

	// Without proxyv2 no Envoy is needed.
	o := options()
	o.Images = []string{"pilot"}
	if _, err := plan.New(o, r, facts()); err != nil {
		t.Errorf("pilot only: %v", err)
	}
}

func TestEnvoyForPlatformNotBuilt(t *testing.T) {
	for _, tc := range []struct {
		name  string
		envoy map[string]plan.Envoy
		pins  map[string]string
		want  string
	}{
		{"envoy", map[string]plan.Envoy{"linux/arm/v7": {Kind: plan.EnvoyURL, Ref: "https://x/e"}}, nil, "--envoy linux/arm/v7"},
		{"pin", nil, map[string]string{"linux/s390x": pin}, "--envoy-sha256 linux/s390x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options()
			o.Envoy, o.EnvoySHA256 = tc.envoy, tc.pins
			_, err := plan.New(o, recipe(), facts())
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--platforms") {
				t.Errorf("error %v, want one naming %s and --platforms", err, tc.want)
			}
		})
	}
}

// A Dockerfile copying what the recipe does not put in the context means the
// source is of another release line: refused before anything is built.
func TestCheckCopies(t *testing.T) {
	for _, tc := range []struct {
		name    string
		copies  []string
		args    map[string]string
		wantErr string
	}{
		{name: "all provided", copies: []string{"${TARGETARCH}/pilot-agent", "${TARGETARCH:-amd64}/envoy", "envoy_bootstrap.json", "stats-filter.wasm", "metadata-exchange-filter.compiled.wasm"}},
		{name: "arg default", copies: []string{"${BOOTSTRAP}"}, args: map[string]string{"BOOTSTRAP": "envoy_bootstrap.json"}},
		{name: "build arg wins over default", copies: []string{"${BASE_DISTRIBUTION}.json"}, args: map[string]string{"BASE_DISTRIBUTION": "envoy_bootstrap"}, wantErr: "copies debug.json"},
		{name: "unknown binary", copies: []string{"${TARGETARCH}/ztunnel"}, wantErr: "copies amd64/ztunnel"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := facts()
			f.Dockerfiles = map[string]plan.Dockerfile{"pilot/docker/Dockerfile.proxyv2": {Copies: tc.copies, ArgDefaults: tc.args}}
			o := options()
			o.Images = []string{"proxyv2"}
			_, err := plan.New(o, recipe(), f)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !strings.Contains(err.Error(), "1.14") || !strings.Contains(err.Error(), "--version") {
				t.Errorf("error %v, want one saying it %s, naming the line and --version", err, tc.wantErr)
			}
		})
	}
}

func TestUnknownImageOrVariant(t *testing.T) {
	for _, tc := range []struct {
		name     string
		images   []string
		variants []string
		want     []string
	}{
		{"image", []string{"ztunnel"}, nil, []string{`"ztunnel"`, "1.14", "pilot, proxyv2"}},
		{"variant", []string{"pilot"}, []string{"alpine"}, []string{`"alpine"`, "pilot", "debug, distroless"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options()
			o.Images, o.Variants = tc.images, tc.variants
			_, err := plan.New(o, recipe(), facts())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %s", err, w)
				}
			}
		})
	}
}

func TestBuildArgs(t *testing.T) {
	o := options()
	o.Variants = []string{"distroless"}
	p := mustNew(t, o, recipe())
	want := map[string]string{
		"BASE_DISTRIBUTION": "distroless",
		"SOURCE_DATE_EPOCH": "1700000000",
		"BASE_VERSION":      "1.14-dev",
		"proxy_version":     "istio-proxy:" + proxySHA,
		"istio_version":     "1.14.3",
		"SIDECAR":           "envoy",
	}
	if got := image(t, p, "pilot", "distroless").BuildArgs; !maps.Equal(got, want) {
		t.Errorf("build args\n%v\nwant\n%v", got, want)
	}

	r := recipe()
	r.BuildArgs["BROKEN"] = "{{.NoSuchFact}}"
	if _, err := plan.New(options(), r, facts()); err == nil || !strings.Contains(err.Error(), "BROKEN") {
		t.Errorf("bad template: error %v, want one naming the build arg", err)
	}
}

func TestWasm(t *testing.T) {
	o := options()
	o.EnvoyBaseURL = "https://mirror.example.com/proxy"
	p := mustNew(t, o, recipe())
	want := []plan.Download{
		{URL: "https://mirror.example.com/proxy/stats-" + proxySHA + ".wasm", Name: "stats-filter.wasm"},
		{URL: "https://mirror.example.com/proxy/stats-" + proxySHA + ".compiled.wasm", Name: "stats-filter.compiled.wasm"},
		{URL: "https://mirror.example.com/proxy/metadata_exchange-" + proxySHA + ".wasm", Name: "metadata-exchange-filter.wasm"},
		{URL: "https://mirror.example.com/proxy/metadata_exchange-" + proxySHA + ".compiled.wasm", Name: "metadata-exchange-filter.compiled.wasm"},
	}
	if got := image(t, p, "proxyv2", "debug").Wasm; !slices.Equal(got, want) {
		t.Errorf("wasm\n%v\nwant\n%v", got, want)
	}
	if got := image(t, p, "pilot", "debug").Wasm; len(got) != 0 {
		t.Errorf("pilot wasm %v, want none", got)
	}
}

func TestRender(t *testing.T) {
	o := options()
	o.Variants = []string{"debug", "distroless"}
	o.BaseRegistry = "mirror.example.com/istio-release"
	o.EnvoySHA256 = map[string]string{"linux/arm64": pin}
	p := mustNew(t, o, recipe())
	var b bytes.Buffer
	plan.Render(&b, p)
	out := b.String()
	for _, want := range []string{
		"version: 1.14.3\n",
		"hub: registry.example.com/istio\n",
		"source: https://github.com/istio/istio.git#refs/tags/1.14.3\n",
		"commit: " + commit + "\n",
		"proxy sha: " + proxySHA + "\n",
		"base version: 1.14-dev\n",
		"go image: docker.io/library/golang:1.18 (on linux/amd64, linkname fix: true)\n",
		"push: true\n",
		"  - pilot-agent linux/arm64 (./pilot/cmd/pilot-agent) tags=[agent]\n",
		"    ldflags: -extldflags -static -s -w -X istio.io/pkg/version.buildVersion=1.14.3",
		"  - proxyv2 (debug) -> registry.example.com/istio/proxyv2 tags=[1.14.3,1.14.3-debug]\n",
		"  - proxyv2 (distroless) -> registry.example.com/istio/proxyv2 tags=[1.14.3-distroless]\n",
		"    dockerfile: pilot/docker/Dockerfile.proxyv2\n",
		"      BASE_DISTRIBUTION: distroless\n",
		"      gcr.io/istio-release/iptables:1.14-dev: docker-image://mirror.example.com/istio-release/iptables:1.14-dev\n",
		"      envoy_bootstrap.json: tools/packaging/common/envoy_bootstrap.json\n",
		"    wasm: stats-filter.wasm <- " + envoyURL + "/stats-" + proxySHA + ".wasm\n",
		"    linux/amd64: binaries=[pilot-agent] envoy=url " + envoyURL + "/envoy-alpha-" + proxySHA + ".tar.gz\n",
		"    linux/arm64: binaries=[pilot-agent] envoy=url " + envoyURL + "/envoy-alpha-" + proxySHA + "-arm64.tar.gz sha256=" + pin + "\n",
		"    linux/arm64: binaries=[pilot-discovery] envoy=none\n",
		"archives:\n",
		"  - istioctl-1.14.3-win.zip (windows/amd64)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("render lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("render:\n%s", out)
	}

	p.Source = plan.Source{Dir: "/home/me/istio"}
	b.Reset()
	plan.Render(&b, p)
	if !strings.Contains(b.String(), "source: /home/me/istio\n") {
		t.Errorf("render of a directory source lacks it:\n%s", b.String())
	}
}

// --istioctl selects archives, and with them the istioctl compiles: none
// leaves an images-only plan.
func TestIstioctlSelection(t *testing.T) {
	istioctls := func(p plan.Plan) (archives, compiles []string) {
		for _, a := range p.Archives {
			archives = append(archives, platforms.Format(a.Platform))
		}
		for _, b := range p.Binaries {
			if b.Name == "istioctl" {
				compiles = append(compiles, platforms.Format(b.Platform))
			}
		}
		return archives, compiles
	}
	for selection, want := range map[string][]string{
		"none":                    nil,
		"windows/amd64":           {"windows/amd64"},
		"linux/arm64,linux/amd64": {"linux/amd64", "linux/arm64"},
		"all":                     {"linux/amd64", "linux/arm64", "windows/amd64"},
	} {
		o := options()
		o.Istioctl = selection
		archives, compiles := istioctls(mustNew(t, o, recipe()))
		if !slices.Equal(archives, want) || !slices.Equal(compiles, want) {
			t.Errorf("--istioctl %s: archives %v, istioctl compiles %v; want %v", selection, archives, compiles, want)
		}
	}
	o := options()
	o.Istioctl = "darwin/arm64"
	if _, err := plan.New(o, recipe(), facts()); err == nil || !strings.Contains(err.Error(), "has istioctl archives for linux/amd64, linux/arm64, windows/amd64 (or all, none)") {
		t.Errorf("--istioctl darwin/arm64: error %v, want the recipe's platforms named", err)
	}
}
