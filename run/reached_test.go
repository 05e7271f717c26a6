package run

import (
	"testing"

	"github.com/istio-mab/istio-mab/run/fakenode"
)

// A committed tree compiles every binary from the whole tree, without
// listing the files each reaches: its commit is stamped into every binary,
// so narrowing the inputs could never keep a compile cached. A tree with
// changes lists them, one listing per binary.
func TestCompilesListFilesOnlyForUncommittedTrees(t *testing.T) {
	for _, committed := range []bool{true, false} {
		host := testRegistry(t, nil)
		node := fakenode.New("linux/amd64", "linux/arm64")
		p := resolveOne(t, host, node)
		p.Facts.Committed = committed
		before := node.Reads()
		if _, err := runOn(t, p, Solvers{defaultNode: node}, host); err != nil {
			t.Fatal(err)
		}
		want := len(p.Binaries)
		if committed {
			want = 0
		}
		if got := node.Reads() - before; got != want {
			t.Errorf("committed=%t: %d file listings for %d binaries, want %d", committed, got, len(p.Binaries), want)
		}
	}
}
