package run

import (
	"github.com/istio-mab/istio-mab/resolve"
	"github.com/istio-mab/istio-mab/run/fakenode"
	"strings"
	"testing"
)

// The images' binaries start compiling first; istioctl for the archives
// follows in the same queue, so a free compile slot never idles while the
// images wait.
func TestImageBinariesCompileFirst(t *testing.T) {
	host := testRegistry(t, nil)
	node := fakenode.New("linux/amd64", "linux/arm64")
	p, err := resolve.Resolve(t.Context(), linuxArchives(t, host), resolve.Nodes{defaultNode: node})
	if err != nil {
		t.Fatal(err)
	}
	s := Settings{Jobs: 2, CompileJobs: 1, Dist: t.TempDir()}
	if _, err := Run(t.Context(), p, Solvers{defaultNode: node}, registrySink(t, host), s); err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range node.SolvesOf(fakenode.Compile) {
		order = append(order, c.Platform)
	}
	forImages, rest := imageBinaries(p)
	if len(order) != len(forImages)+len(rest) || len(rest) != 2 {
		t.Fatalf("compiled %v; want the images' %d binaries and 2 istioctl", order, len(forImages))
	}
	for i, built := range order {
		if istioctl := strings.HasPrefix(built, "istioctl "); istioctl != (i >= len(forImages)) {
			t.Errorf("compile %d was %s: want the images' binaries first, then istioctl", i+1, built)
		}
	}
}
