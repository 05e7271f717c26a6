package plan_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/resolve/source"
)

const (
	mirror   = "mirror.example.com/istio-release"
	iptables = "gcr.io/istio-release/iptables@sha256:" + pin
)

// proxyv2At114 has the shape of upstream's 1.12-1.17 Dockerfile.proxyv2: the
// distroless stage pinned by digest on a fixed registry.
const proxyv2At114 = `ARG BASE_DISTRIBUTION=debug
ARG BASE_VERSION=latest
FROM gcr.io/istio-release/base:${BASE_VERSION} as debug
FROM gcr.io/istio-release/iptables@sha256:` + pin + ` as distroless
FROM ${BASE_DISTRIBUTION:-debug}
COPY ${TARGETARCH:-amd64}/pilot-agent /usr/local/bin/pilot-agent
`

// proxyv2At130 has the shape of upstream's 1.30 Dockerfile.proxyv2, whose
// registry default differs from what upstream's Makefile passes.
const proxyv2At130 = `ARG BASE_DISTRIBUTION=debug
ARG BASE_VERSION=latest
ARG ISTIO_BASE_REGISTRY=registry.istio.io/release
FROM ${ISTIO_BASE_REGISTRY}/base:${BASE_VERSION} as debug
FROM ${ISTIO_BASE_REGISTRY}/iptables:${BASE_VERSION} as distroless
FROM ${BASE_DISTRIBUTION:-debug}
`

func dockerfile(t *testing.T, text string) plan.Dockerfile {
	t.Helper()
	df, err := source.ReadDockerfile([]byte(text), map[string]string{"BASE_VERSION": "1.14-dev"})
	if err != nil {
		t.Fatal(err)
	}
	return df
}

func TestReachedBases(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		args map[string]string
		want []string
	}{
		{"debug by default", proxyv2At114, map[string]string{"BASE_VERSION": "1.14-dev"}, []string{"gcr.io/istio-release/base:1.14-dev"}},
		{"distroless pinned by digest", proxyv2At114, map[string]string{"BASE_DISTRIBUTION": "distroless"}, []string{iptables}},
		{"build arg wins over the default registry", proxyv2At130, map[string]string{"ISTIO_BASE_REGISTRY": "gcr.io/istio-release", "BASE_VERSION": "v"}, []string{"gcr.io/istio-release/base:v"}},
		{"undeclared build arg does not reach FROM", "FROM ${REG}/base:1 AS b\nFROM b\n", map[string]string{"REG": "x"}, []string{"/base:1"}},
		{
			"COPY --from by name, index and image; unreached stage skipped",
			"FROM a:1 AS one\nFROM b:1\nFROM c:1 AS unused\nFROM scratch\nCOPY --from=one /x /x\nCOPY --from=1 /y /y\nCOPY --from=d:1 /z /z\n",
			nil, []string{"a:1", "b:1", "d:1"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := plan.ReachedBases(dockerfile(t, tc.text), tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// Each variant carries redirects for exactly the bases its build reaches, so
// pinning a debug build never asks the mirror for the distroless digest.
func TestNamedContextsPerVariant(t *testing.T) {
	base := "gcr.io/istio-release/base:1.14-dev"
	for _, tc := range []struct {
		name              string
		baseRegistry      string
		dockerfile        string // "": not read from the source
		debug, distroless map[string]string
	}{
		{name: "default registry", baseRegistry: ""},
		{name: "same registry", baseRegistry: "gcr.io/istio-release"},
		{
			name: "mirror from recipe bases", baseRegistry: mirror,
			debug:      map[string]string{base: "docker-image://" + mirror + "/base:1.14-dev"},
			distroless: map[string]string{"gcr.io/istio-release/iptables:1.14-dev": "docker-image://" + mirror + "/iptables:1.14-dev"},
		},
		{
			name: "mirror from the Dockerfile's stages", baseRegistry: mirror, dockerfile: proxyv2At114,
			debug:      map[string]string{base: "docker-image://" + mirror + "/base:1.14-dev"},
			distroless: map[string]string{iptables: "docker-image://" + mirror + "/iptables@sha256:" + pin},
		},
		{
			name: "another line's registry redirected, others not", baseRegistry: mirror,
			dockerfile: "ARG BASE_DISTRIBUTION\nFROM registry.istio.io/release/base:1.30-dev AS debug\nFROM docker.io/library/ubuntu:focal AS distroless\nFROM ${BASE_DISTRIBUTION}\n",
			debug:      map[string]string{"registry.istio.io/release/base:1.30-dev": "docker-image://" + mirror + "/base:1.30-dev"},
			distroless: map[string]string{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := options()
			o.BaseRegistry, o.Images, o.Variants = tc.baseRegistry, []string{"proxyv2"}, []string{"debug", "distroless"}
			f := facts()
			if tc.dockerfile != "" {
				f.Dockerfiles = map[string]plan.Dockerfile{"pilot/docker/Dockerfile.proxyv2": dockerfile(t, tc.dockerfile)}
			}
			p, err := plan.New(o, recipe(), f)
			if err != nil {
				t.Fatal(err)
			}
			for variant, want := range map[string]map[string]string{"debug": tc.debug, "distroless": tc.distroless} {
				if got := image(t, p, "proxyv2", variant).NamedContexts; !maps.Equal(got, want) {
					t.Errorf("%s named contexts\n%v\nwant\n%v", variant, got, want)
				}
			}
		})
	}
}

// 1.30's Dockerfiles default ISTIO_BASE_REGISTRY to registry.istio.io/release;
// the recipe passes upstream's gcr.io/istio-release, so the bases redirected
// are gcr.io's, as in upstream's own build.
func TestIstioBaseRegistryBuildArg(t *testing.T) {
	sel, err := recipes.Select("1.30.0")
	if err != nil {
		t.Fatal(err)
	}
	o := options()
	o.Version, o.BaseRegistry, o.Images, o.Variants = "1.30.0", mirror, []string{"proxyv2"}, []string{"debug", "distroless"}
	f := facts()
	f.Dockerfiles = map[string]plan.Dockerfile{"pilot/docker/Dockerfile.proxyv2": dockerfile(t, proxyv2At130)}
	p, err := plan.New(o, sel.Recipe, f)
	if err != nil {
		t.Fatal(err)
	}
	img := image(t, p, "proxyv2", "distroless")
	if img.BuildArgs["ISTIO_BASE_REGISTRY"] != "gcr.io/istio-release" {
		t.Errorf("ISTIO_BASE_REGISTRY build arg %q, want gcr.io/istio-release", img.BuildArgs["ISTIO_BASE_REGISTRY"])
	}
	want := map[string]string{"gcr.io/istio-release/iptables:1.14-dev": "docker-image://" + mirror + "/iptables:1.14-dev"}
	if !maps.Equal(img.NamedContexts, want) {
		t.Errorf("named contexts %v, want %v", img.NamedContexts, want)
	}
}
