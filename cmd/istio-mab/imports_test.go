package main

import (
	"os/exec"
	"strings"
	"testing"
)

// The command holds flags and printing only: the pipeline (BuildKit,
// registries, the stages) is reached through the library's facade.
func TestImportsOnlyTheFacade(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, imp := range strings.Fields(string(out)) {
		if !allowedImport(imp) {
			t.Errorf("cmd/istio-mab imports %s: reach it through the istiomab facade (or report)", imp)
		}
	}
}

func allowedImport(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	switch {
	case !strings.Contains(first, "."): // the standard library
		return true
	case path == "github.com/istio-mab/istio-mab", path == "github.com/istio-mab/istio-mab/report":
		return true
	}
	return strings.HasPrefix(path, "github.com/spf13/")
}

// plan and lock push nothing and write no reports: build's publishing
// flags are not theirs to give.
func TestPlanAndLockRefuseBuildOnlyFlags(t *testing.T) {
	root := newRootCommand()
	for _, name := range []string{"plan", "lock"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		for _, flag := range []string{"push", "dry-run", "metadata-file", "lock", "force", "sign-key", "cache-from", "cache-to", "jobs", "compile-jobs"} {
			if cmd.Flags().Lookup(flag) != nil {
				t.Errorf("%s has --%s", name, flag)
			}
		}
	}
	lock, _, _ := root.Find([]string{"lock"})
	for _, flag := range []string{"output", "dist", "istioctl"} {
		if lock.Flags().Lookup(flag) != nil {
			t.Errorf("lock has --%s: it prints the lock and writes no archives", flag)
		}
	}
	_, stderr, code := execute(t, "plan", "--version", "1.22.0", "--hub", "x", "--push=false")
	if code != 2 || !strings.Contains(stderr, "unknown flag: --push") {
		t.Errorf("plan --push=false: exit %d, stderr %q; want exit 2 and unknown flag", code, stderr)
	}
}
