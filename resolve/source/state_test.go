package source

import (
	"context"
	"testing"

	"github.com/moby/buildkit/solver/pb"

	"github.com/istio-mab/istio-mab/plan"
)

// A git source whose files carried the commit time would let a layer reused
// from another release keep that release's time (see State).
func TestGitStateKeepsCheckoutMTimes(t *testing.T) {
	src := plan.Source{GitURL: "git://127.0.0.1/istio.git", Ref: "refs/tags/1.22.0"}
	def, err := State(src, "0123456789abcdef0123456789abcdef01234567").Marshal(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, b := range def.Def {
		var op pb.Op
		if err := op.UnmarshalVT(b); err != nil {
			t.Fatal(err)
		}
		if s := op.GetSource(); s != nil {
			found = true
			if v, ok := s.Attrs[pb.AttrGitMTime]; ok {
				t.Errorf("git source sets %s=%s; want the checkout's mtimes", pb.AttrGitMTime, v)
			}
		}
	}
	if !found {
		t.Fatal("no source op in the definition")
	}
}
