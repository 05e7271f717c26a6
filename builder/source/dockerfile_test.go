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
