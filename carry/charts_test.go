package carry

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/carry/install"
)

// A mirror carries the charts the source holds beside its lists, every
// digest unchanged, and tags them; an export writes them into the layout
// with the install files, listed in the contents file.
func TestChartsTravelWithTheLists(t *testing.T) {
	src, dst := newRegistry(t), newRegistry(t)
	a := access(t, src, dst)
	upstreamList(t, src+"/istio/pilot", "1.22.0")
	c, err := install.Package(filepath.Join("..", "e2e", "testdata", "fixture", "1.22.0", "manifests", "charts", "base"), "1.22.0", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	charts, err := install.ForHub(a.Repository, src+"/istio", []install.Chart{c})
	if err != nil {
		t.Fatal(err)
	}
	if err := charts.Write(a.Remote(t.Context())...); err != nil {
		t.Fatal(err)
	}
	if err := charts.Tag(a.Remote(t.Context())...); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ToRegistry(t.Context(), a, release(src+"/istio"), dst+"/mirror", CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	got, err := install.Pull(a.Repository, dst+"/mirror", "1.22.0", a.Remote(t.Context())...)
	if err != nil || len(got) != 1 || string(got[0].Package) != string(c.Package) {
		t.Fatalf("mirrored charts: %d (%v)", len(got), err)
	}
	dir := t.TempDir()
	if _, _, err := ToLayout(t.Context(), a, release(src+"/istio"), dir, CopyOptions{}); err != nil {
		t.Fatal(err)
	}
	files := map[string]bool{}
	for _, f := range mustContents(t, dir).Files {
		files[f.Path] = true
	}
	for _, want := range []string{c.File(), install.ImagesFile, install.ValuesFile, install.IstioctlFile} {
		if !files[want] {
			t.Errorf("the exported contents file lists no %s: %v", want, files)
		}
	}
	if err := CheckFiles(dir, mustContents(t, dir)); err != nil {
		t.Error(err)
	}
}

func mustContents(t *testing.T, dir string) Contents {
	t.Helper()
	c, err := ReadContents(dir)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
