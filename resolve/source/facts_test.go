package source

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
)

func TestProxySHA(t *testing.T) {
	deps := `[{"name":"ZTUNNEL_REPO_SHA","lastStableSHA":"aaa"},{"_comment":"","name":"PROXY_REPO_SHA","repoName":"proxy","lastStableSHA":"0123abc"}]`
	got, err := ProxySHA([]byte(deps))
	if err != nil || got != "0123abc" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := ProxySHA([]byte(`[]`)); err == nil {
		t.Fatal("want error without PROXY_REPO_SHA")
	}
}

func TestBaseVersion(t *testing.T) {
	mk := "export GO111MODULE ?= on\nBASE_VERSION ?= 1.22-dev.3\nISTIO_BASE_REGISTRY ?= gcr.io/istio-release\n"
	got, err := BaseVersion([]byte(mk))
	if err != nil || got != "1.22-dev.3" {
		t.Fatalf("got %q, %v", got, err)
	}
	if _, err := BaseVersion([]byte("BASE_VERSION := x\n")); err == nil {
		t.Fatal("want error without ?= line")
	}
}

func TestCommitTime(t *testing.T) {
	obj := "tree 1234\nauthor A <a@b> 1600000000 +0000\ncommitter C <c@d> 1650000000 +0200\n\nmsg\n"
	got, err := CommitTime([]byte(obj))
	if err != nil || got != 1650000000 {
		t.Fatalf("got %d, %v", got, err)
	}
}

func TestReadFactsRequiresLayout(t *testing.T) {
	files := map[string]string{"istio.deps": `[{"name":"PROXY_REPO_SHA","lastStableSHA":"abc"}]`, "Makefile.core.mk": "BASE_VERSION ?= v1\n",
		"go.mod": "module istio.io/istio\n\ngo 1.18\n\nreplace istio.io/pkg => ./pkgversion\n\nreplace example.com/x => example.com/y v1.0.0\n"}
	read := func(p string) ([]byte, error) {
		if s, ok := files[p]; ok {
			return []byte(s), nil
		}
		return nil, errNotFound
	}
	var f = factsFor(t, read, nil)
	if f.ProxySHA != "abc" || f.BaseVersion != "v1" || !slices.Equal(f.LocalModules, []string{"pkgversion"}) {
		t.Fatalf("got %+v", f)
	}
	err := ReadFacts(read, &f, Layout{Required: []string{"pilot/docker/Dockerfile.pilot"}})
	want := "source has no pilot/docker/Dockerfile.pilot, which the recipe expects: is --version the right release line?"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v", err)
	}
}

// ReadTree reads upstream's own files as recorded at their tags.
func TestReadTreeOfUpstreamFiles(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want plan.Tree
	}{
		{"1.14.3", plan.Tree{EnvoyBaseURL: "https://storage.googleapis.com/istio-build/proxy", VersionPackage: "istio.io/pkg/version"}},
		{"1.22.0", plan.Tree{
			Tags:         map[string][]string{"AGENT_TAGS": {"agent", "disable_pgv"}, "STANDARD_TAGS": {"vtprotobuf", "disable_pgv"}},
			BaseRegistry: "gcr.io/istio-release", EnvoyBaseURL: "https://storage.googleapis.com/istio-build/proxy", VersionPackage: "istio.io/istio/pkg/version",
		}},
		{"1.31.0-rc.0", plan.Tree{
			Tags:         map[string][]string{"AGENT_TAGS": {"agent", "disable_pgv", "grpcnotrace", "retrynotrace"}, "STANDARD_TAGS": {"vtprotobuf", "disable_pgv"}},
			BaseRegistry: "registry.istio.io/release", EnvoyBaseURL: "https://blob.istio.io/istio-build/proxy", VersionPackage: "istio.io/istio/pkg/version",
		}},
	} {
		dir := filepath.Join("..", "..", "e2e", "testdata", "upstream", tc.tag)
		read := func(p string) []byte {
			b, err := os.ReadFile(filepath.Join(dir, p))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		got := ReadTree(read("Makefile.core.mk"), read("bin/init.sh"), read("common/scripts/report_build_info.sh"))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: ReadTree = %+v, want %+v", tc.tag, got, tc.want)
		}
	}
}
