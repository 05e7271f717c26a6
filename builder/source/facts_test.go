package source

import (
	"slices"
	"testing"
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
