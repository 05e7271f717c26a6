package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/spf13/cobra/doc"
)

var updateDocs = flag.Bool("update-docs", false, "rewrite docs/cli from the commands (make docs)")

const cliDocs = "../../docs/cli"

// The CLI reference under docs/cli is generated from the commands; this
// test fails when a flag, help text or example changed without it.
func TestCLIReferenceIsCurrent(t *testing.T) {
	cleanEnv(t)
	dir := t.TempDir()
	root := newRootCommand()
	root.DisableAutoGenTag = true // no date: the files must be reproducible
	root.InitDefaultCompletionCmd()
	if err := doc.GenMarkdownTree(root, dir); err != nil {
		t.Fatal(err)
	}
	if *updateDocs {
		if err := os.RemoveAll(cliDocs); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(cliDocs, os.DirFS(dir)); err != nil {
			t.Fatal(err)
		}
	}
	want, got := readDir(t, dir), readDir(t, cliDocs)
	if len(want) == 0 {
		t.Fatal("no reference generated")
	}
	for name, content := range want {
		if got[name] != content {
			t.Errorf("docs/cli/%s is out of date: run `make docs`", name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("docs/cli/%s documents no command: run `make docs`", name)
		}
	}
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}
