package source

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
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

// The config a variant's image must have is what the final stage and the
// stages its FROM chain starts from set, as the Dockerfile frontend sets it.
func TestFinalConfig(t *testing.T) {
	const df = `ARG BASE_DISTRIBUTION=debug
FROM gcr.io/istio-release/base:1 as debug
USER 1000
CMD ["sleep"]
FROM gcr.io/istio-release/distroless:1 as distroless
ENTRYPOINT /bin/app --flag
FROM ${BASE_DISTRIBUTION:-debug}
WORKDIR /
`
	d, err := ReadDockerfile([]byte(df), nil)
	if err != nil {
		t.Fatal(err)
	}
	user := "1000"
	for _, tc := range []struct {
		variant string
		want    plan.Config
	}{
		{"debug", plan.Config{User: &user, Cmd: []string{"sleep"}}},
		// A shell form runs under /bin/sh -c; ENTRYPOINT clears the base's CMD.
		{"distroless", plan.Config{Entrypoint: []string{"/bin/sh", "-c", "/bin/app --flag"}, Cmd: []string{}}},
	} {
		got, err := plan.FinalConfig(d, map[string]string{"BASE_DISTRIBUTION": tc.variant})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: FinalConfig = %+v, want %+v", tc.variant, got, tc.want)
		}
	}
}

// Upstream's proxyv2 sets no USER; its pilot does.
func TestFinalConfigOfUpstreamDockerfiles(t *testing.T) {
	for _, tc := range []struct {
		file, user, entrypoint string
	}{
		{"Dockerfile.proxyv2", "", "/usr/local/bin/pilot-agent"},
		{"Dockerfile.pilot", "1337:1337", "/usr/local/bin/pilot-discovery"},
	} {
		b, err := os.ReadFile(filepath.Join("..", "..", "e2e", "testdata", "upstream", "1.22.0", "pilot", "docker", tc.file))
		if err != nil {
			t.Fatal(err)
		}
		d, err := ReadDockerfile(b, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := plan.FinalConfig(d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user := deref(got.User); user != tc.user || !slices.Equal(got.Entrypoint, []string{tc.entrypoint}) || got.Cmd == nil || len(got.Cmd) != 0 {
			t.Errorf("%s: USER %q ENTRYPOINT %q CMD %q, want USER %q ENTRYPOINT [%s] and CMD cleared", tc.file, user, got.Entrypoint, got.Cmd, tc.user, tc.entrypoint)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
