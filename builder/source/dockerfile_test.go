package source

import (
	"slices"
	"testing"
)

const proxyv2Like = `# comment
ARG BASE_DISTRIBUTION=debug
ARG BASE_VERSION=latest
ARG ISTIO_BASE_REGISTRY=gcr.io/istio-release

FROM ${ISTIO_BASE_REGISTRY}/base:${BASE_VERSION} as debug
FROM gcr.io/istio-release/iptables@sha256:0123456789012345678901234567890123456789012345678901234567890123 as distroless
FROM ${BASE_DISTRIBUTION:-debug}
ARG TARGETARCH
COPY ${TARGETARCH:-amd64}/pilot-agent /usr/local/bin/pilot-agent
FROM scratch AS empty
`

func TestBaseImagesExpandsArgsAndSkipsStages(t *testing.T) {
	d, err := ReadDockerfile([]byte(proxyv2Like), map[string]string{"BASE_VERSION": "1.22-dev"})
	if err != nil {
		t.Fatal(err)
	}
	got := d.BaseImages
	want := []string{
		"gcr.io/istio-release/base:1.22-dev",
		"gcr.io/istio-release/iptables@sha256:0123456789012345678901234567890123456789012345678901234567890123",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestBaseImagesRejectsGarbage(t *testing.T) {
	if _, err := ReadDockerfile([]byte("COPY a b\n"), nil); err == nil {
		t.Fatal("want an error for a Dockerfile without FROM")
	}
}

func TestStageGraphKeepsFromsUnexpanded(t *testing.T) {
	d, err := ReadDockerfile([]byte(proxyv2Like+"COPY --from=debug /etc/passwd /etc/passwd\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	var froms, names []string
	for _, s := range d.Stages {
		froms, names = append(froms, s.From), append(names, s.Name)
	}
	wantFroms := []string{"${ISTIO_BASE_REGISTRY}/base:${BASE_VERSION}", "gcr.io/istio-release/iptables@sha256:0123456789012345678901234567890123456789012345678901234567890123", "${BASE_DISTRIBUTION:-debug}", "scratch"}
	if !slices.Equal(froms, wantFroms) || !slices.Equal(names, []string{"debug", "distroless", "", "empty"}) {
		t.Errorf("stages from %q named %q", froms, names)
	}
	if got := d.Stages[3].CopyFrom; !slices.Equal(got, []string{"debug"}) {
		t.Errorf("last stage copies from %q, want [debug]", got)
	}
	if d.MetaArgs["ISTIO_BASE_REGISTRY"] != "gcr.io/istio-release" || d.MetaArgs["BASE_DISTRIBUTION"] != "debug" {
		t.Errorf("meta args %v", d.MetaArgs)
	}
}
