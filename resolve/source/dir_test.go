package source

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// DirFacts calls a checkout committed only while it has no changes, tracked
// or not: an untracked file can be built from too.
func TestDirFactsCommittedOnlyWhenClean(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("istio.deps", `[{"name":"PROXY_REPO_SHA","lastStableSHA":"abc"}]`)
	write("Makefile.core.mk", "BASE_VERSION ?= v1\n")
	write("go.mod", "module istio.io/istio\n")
	committed := func() bool {
		f, err := DirFacts(t.Context(), dir, "1.22.0", Layout{})
		if err != nil {
			t.Fatal(err)
		}
		return f.Committed
	}
	if committed() {
		t.Error("a directory that is not a checkout is committed")
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "."}, {"-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"}} {
		if out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if !committed() {
		t.Error("a clean checkout is not committed")
	}
	write("new.go", "package x\n")
	if committed() {
		t.Error("a checkout with an untracked file is committed")
	}
}
