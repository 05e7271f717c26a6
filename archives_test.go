package istiomab

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/archive"
)

// The archive cache gives back what a run kept, byte for byte with its
// .sha256, and nothing when an archive is missing or damaged.
func TestArchiveCache(t *testing.T) {
	built := t.TempDir()
	var files []archive.File
	for _, name := range []string{"istioctl-1.22.0-linux-amd64.tar.gz", "istioctl-1.22.0-win.zip"} {
		path := filepath.Join(built, name)
		sum, err := writeWithSum(path, []byte("archive "+name))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, archive.File{Path: path, ChecksumPath: path + ".sha256", SHA256: sum})
	}
	p := plan.Plan{Archives: []plan.Archive{
		{Name: "istioctl-1.22.0-linux-amd64.tar.gz", Platform: platforms.MustParse("linux/amd64")},
		{Name: "istioctl-1.22.0-win.zip", Platform: platforms.MustParse("windows/amd64")},
	}}
	c := archiveCache(t.TempDir())
	if err := c.keep("sha256:abc", files); err != nil {
		t.Fatal(err)
	}
	dist := t.TempDir()
	got, ok, err := c.restore("sha256:abc", dist, p)
	if err != nil || !ok || len(got) != 2 || got[1].SHA256 != files[1].SHA256 {
		t.Fatalf("restore: %v %t %+v", err, ok, got)
	}
	for _, f := range files {
		for _, suffix := range []string{"", ".sha256"} {
			want, _ := os.ReadFile(f.Path + suffix)
			have, _ := os.ReadFile(filepath.Join(dist, filepath.Base(f.Path)+suffix))
			if string(have) != string(want) {
				t.Errorf("%s%s restored as %q, want %q", filepath.Base(f.Path), suffix, have, want)
			}
		}
	}
	if _, ok, _ := c.restore("sha256:other", t.TempDir(), p); ok {
		t.Error("restore of inputs never kept succeeded")
	}
	if err := os.WriteFile(filepath.Join(c.dir("sha256:abc"), "istioctl-1.22.0-win.zip"), []byte("flipped"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, ok, err := c.restore("sha256:abc", t.TempDir(), p); ok || err != nil {
		t.Errorf("restore of a damaged archive: ok %t, error %v; want a rebuild (false, nil)", ok, err)
	}
}

func writeWithSum(path string, b []byte) (string, error) {
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return "", err
	}
	sum, err := fsutil.FileSHA256(path)
	if err != nil {
		return "", err
	}
	return sum, os.WriteFile(path+".sha256", []byte(sum+" "+filepath.Base(path)+"\n"), 0o644)
}
