package run

import (
	"errors"
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run/fakenode"
	"os"
	"slices"
	"testing"

	"github.com/istio-mab/istio-mab/recipes"
)

// linuxArchives asks for istioctl archives for the two platforms the fake
// writes executables for, one of them under two names.
func linuxArchives(t *testing.T, host string) resolve.Request {
	t.Helper()
	req := runRequest(t, host, defaultNode)
	req.Recipe.Archives = []recipes.Archive{
		{Platform: "linux/amd64", Name: "istioctl-{{.Version}}-linux-amd64.tar.gz"},
		{Platform: "linux/amd64", Name: "istioctl-{{.Version}}-linux.tar.gz"},
		{Platform: "linux/arm64", Name: "istioctl-{{.Version}}-linux-arm64.tar.gz"},
	}
	return req
}

func distNames(t *testing.T, dist string) []string {
	t.Helper()
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// Archives are written while the run goes on and appear in --dist, each
// with its checksum, only when the run reaches its tags; a run that fails
// leaves --dist without an archive or a staging directory.
func TestRunWritesArchivesIntoDistLast(t *testing.T) {
	for _, fail := range []bool{false, true} {
		host := testRegistry(t, nil)
		node := fakenode.New("linux/amd64", "linux/arm64")
		p, err := resolve.Resolve(t.Context(), linuxArchives(t, host), resolve.Nodes{defaultNode: node})
		if err != nil {
			t.Fatal(err)
		}
		if fail {
			node.Fail[fakenode.Image] = errors.New("dockerfile exploded")
		}
		dist := t.TempDir()
		res, err := Run(t.Context(), p, Solvers{defaultNode: node}, registrySink(t, host), Settings{Jobs: 2, Dist: dist})
		got := distNames(t, dist)
		if fail {
			if err == nil || len(got) != 0 {
				t.Errorf("failed run: err %v, --dist holds %v, want nothing", err, got)
			}
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"istioctl-1.22.0-linux-amd64.tar.gz", "istioctl-1.22.0-linux-amd64.tar.gz.sha256",
			"istioctl-1.22.0-linux-arm64.tar.gz", "istioctl-1.22.0-linux-arm64.tar.gz.sha256",
			"istioctl-1.22.0-linux.tar.gz", "istioctl-1.22.0-linux.tar.gz.sha256"}
		if !slices.Equal(got, want) {
			t.Errorf("--dist holds %v, want %v", got, want)
		}
		if len(res.Archives) != 3 || res.Archives[0].SHA256 != res.Archives[1].SHA256 || res.Archives[2].Path != dist+"/istioctl-1.22.0-linux-arm64.tar.gz" {
			t.Errorf("archives reported: %+v", res.Archives)
		}
	}
}
