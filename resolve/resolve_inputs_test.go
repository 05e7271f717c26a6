package resolve

import (
	"github.com/istio-mab/istio-mab/run/fakenode"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Only a clean checkout has a commit that describes the whole tree, so only
// then do the lists record an inputs digest a later build can trust.
func TestResolveRecordsInputsOnlyForACleanCheckout(t *testing.T) {
	req := runRequest(t, "registry.invalid", defaultNode)
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(req.Options.Source.Dir)); err != nil {
		t.Fatal(err)
	}
	req.Options.Source.Dir = dir
	digest := func() string {
		t.Helper()
		p, err := Resolve(t.Context(), req, Nodes{defaultNode: fakenode.New("linux/amd64", "linux/arm64")})
		if err != nil {
			t.Fatal(err)
		}
		return p.Inputs.Digest
	}
	if d := digest(); d != "" {
		t.Errorf("no checkout: inputs digest %q, want none", d)
	}
	gitIn(t, dir, "init", "-q")
	gitIn(t, dir, "add", ".")
	gitIn(t, dir, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "fixture")
	if d := digest(); d == "" {
		t.Error("clean checkout: no inputs digest")
	}
	if err := os.WriteFile(filepath.Join(dir, "README.md"), []byte("edited\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if d := digest(); d != "" {
		t.Errorf("checkout with changes: inputs digest %q, want none", d)
	}
}

func gitIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}
