package archive

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestVerifyDirDetectsDamage(t *testing.T) {
	cases := map[string]struct {
		damage func(t *testing.T, path string)
		want   string
	}{
		"edited checksum": {func(t *testing.T, path string) {
			writeFile(t, path+".sha256", strings.Repeat("0", 64)+" "+filepath.Base(path)+"\n")
		}, "checksum file holds"},
		"two-space checksum": {func(t *testing.T, path string) {
			b, _ := os.ReadFile(path + ".sha256")
			writeFile(t, path+".sha256", strings.Replace(string(b), " ", "  ", 1))
		}, "checksum file holds"},
		"missing checksum": {func(t *testing.T, path string) {
			os.Remove(path + ".sha256")
		}, "no such file"},
		"changed archive": {func(t *testing.T, path string) {
			f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{0})
			f.Close()
		}, "checksum file holds"},
		"two entries": {func(t *testing.T, path string) {
			rewriteTarGz(t, path, "istioctl", "README")
		}, "more than one entry"},
		"wrong entry name": {func(t *testing.T, path string) {
			rewriteTarGz(t, path, "bin/istioctl")
		}, `archive holds "bin/istioctl", want "istioctl"`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			archives, files := writeDefaults(t, dir)
			c.damage(t, files[0].Path)
			err := VerifyDir(context.Background(), dir, archives)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), archives[0].Name) {
				t.Fatalf("got %v, want %q", err, c.want)
			}
			if strings.Count(err.Error(), "verifying ") != 1 {
				t.Fatalf("only one archive is damaged, got %v", err)
			}
		})
	}
}

func TestVerifyFileChecksPlatform(t *testing.T) {
	dir := t.TempDir()
	_, files := writeDefaults(t, dir)
	err := VerifyFile(files[0].Path, platform("linux/arm64"))
	if err == nil || !strings.Contains(err.Error(), "binary is for linux/amd64, want linux/arm64") {
		t.Fatalf("got %v", err)
	}
	if err := VerifyFile(files[0].Path, platform("linux/amd64")); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteTarGz replaces path with a tarball of the given entries, each holding
// the original istioctl, and writes a matching checksum so only the content is wrong.
func rewriteTarGz(t *testing.T, path string, names ...string) {
	t.Helper()
	var bin []byte
	err := withTarGzEntry(path, "istioctl", func(r io.Reader, _ entryHeader) (err error) {
		bin, err = io.ReadAll(r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	for _, n := range names {
		tw.WriteHeader(&tar.Header{Name: n, Mode: 0o755, Size: int64(len(bin)), Typeflag: tar.TypeReg})
		tw.Write(bin)
	}
	tw.Close()
	gz.Close()
	f.Close()
	sum, err := fsutil.FileSHA256(path)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path+".sha256", checksumLine(sum, filepath.Base(path)))
}

// An alias holds the bytes of an archive verified before it (osx-amd64 is
// osx), so only its checksum is read again; a damaged alias still fails.
func TestVerifyDirChecksAnAliasAfterItsTwin(t *testing.T) {
	dir := t.TempDir()
	archives, files := writeDefaults(t, dir)
	alias := -1
	for i, a := range archives {
		if strings.HasSuffix(a.Name, "-osx-amd64.tar.gz") {
			alias = i
		}
	}
	if alias < 0 || files[alias].SHA256 != files[alias-1].SHA256 {
		t.Fatalf("want osx-amd64 right after its twin osx with the same bytes: %v", archives)
	}
	if err := VerifyDir(context.Background(), dir, archives); err != nil {
		t.Fatal(err)
	}
	rewriteTarGz(t, files[alias].Path, "istioctl", "README")
	err := VerifyDir(context.Background(), dir, archives)
	if err == nil || !strings.Contains(err.Error(), archives[alias].Name) || !strings.Contains(err.Error(), "more than one entry") {
		t.Fatalf("got %v, want the damaged alias %s", err, archives[alias].Name)
	}
}
