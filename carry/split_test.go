package carry

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestPartNames(t *testing.T) {
	if got := PartName("/m/istio.tar", 2, partWidth(12)); got != "/m/istio.tar.part-002" {
		t.Errorf("PartName = %s", got)
	}
	if got := PartName("istio.tar", 7, partWidth(1200)); got != "istio.tar.part-0007" {
		t.Errorf("PartName of 1200 parts = %s, want 4 digits for all", got)
	}
	for name, want := range map[string]string{"a.tar.part-001": "a.tar", "a.tar.part-1000": "a.tar", "a.tar": "", "a.tar.part-x": "", "a.tar.part-001.partial": ""} {
		if base, ok := splitBase(name); ok != (want != "") || ok && base != want {
			t.Errorf("splitBase(%s) = %s, %v; want %q", name, base, ok, want)
		}
	}
}

// A layout split in parts unpacks, from its name or its first part, to the
// same files as its whole tarball; the parts joined are that tarball.
func TestPackSplitRoundTrip(t *testing.T) {
	dir, work := splitFixture(t)
	whole := filepath.Join(work, "whole.tar")
	if err := Pack(dir, whole); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(work, "b.tar")
	writeFile(t, file+".part-009", "an earlier, larger split")
	writeFile(t, file, "an earlier whole tarball")
	const size = 64 << 10
	if err := PackSplit(dir, file, size); err != nil {
		t.Fatal(err)
	}
	parts, joined := readParts(t, file)
	if _, err := os.Stat(file); len(parts) < 3 || slices.Contains(parts, file+".part-009") || err == nil {
		t.Fatalf("parts %v: want at least 3, the earlier part-009 and whole tarball gone (%v)", parts, err)
	}
	for i, p := range parts {
		if st, _ := os.Stat(p); st.Size() > size || i < len(parts)-1 && st.Size() != size {
			t.Errorf("%s holds %d bytes, want %d (at most, for the last)", p, st.Size(), size)
		}
	}
	want, _ := os.ReadFile(whole)
	if !bytes.HasPrefix(joined, want) || len(joined)-len(want) > 512 {
		t.Errorf("the parts joined are %d bytes, not the %d of the whole tar (+ at most a zero block)", len(joined), len(want))
	}
	for _, from := range []string{file, parts[0], parts[1]} {
		b, err := OpenBundle(t.Context(), from)
		if err != nil {
			t.Fatalf("OpenBundle(%s): %v", from, err)
		}
		if got, want := treeOf(t, b.Dir), treeOf(t, dir); !maps(got, want) {
			t.Errorf("from %s: unpacked %d files, want the layout's %d, same bytes", from, len(got), len(want))
		}
		b.Close()
	}
}

// A tar ending on a part boundary gets a zero block in one more part, so
// the last part is always the shortest.
func TestPackSplitPadsBoundary(t *testing.T) {
	dir, work := splitFixture(t)
	whole := filepath.Join(work, "whole.tar")
	if err := Pack(dir, whole); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(whole)
	file := filepath.Join(work, "b.tar")
	if err := PackSplit(dir, file, st.Size()/2); err != nil {
		t.Fatal(err)
	}
	parts, _ := readParts(t, file)
	last, _ := os.Stat(parts[len(parts)-1])
	if len(parts) != 3 || last.Size() != 512 {
		t.Fatalf("%d parts, the last of %d bytes; want 3, the last one zero block", len(parts), last.Size())
	}
	b, err := OpenBundle(t.Context(), file)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
}

// A part missing, first, in the middle or last, or cut short is refused
// naming it, with nothing left in $TMPDIR.
func TestOpenBundleRefusesIncompleteSplit(t *testing.T) {
	for _, tc := range []struct {
		name string
		harm func(parts []string)
		want string
	}{
		{"gap", func(p []string) { os.Remove(p[1]) }, "b.tar.part-002 is missing: carry every part"},
		{"gap, named from ./", func(p []string) { os.Remove(p[2]) }, "b.tar.part-003 is missing"},
		{"first", func(p []string) { os.Remove(p[0]) }, "b.tar.part-001 is missing"},
		{"last", func(p []string) { os.Remove(p[len(p)-1]) }, ", so not the last): carry every part"},
		{"middle cut", func(p []string) { os.Truncate(p[1], 1000) }, "b.tar.part-002 holds 1000 bytes, "},
		{"last cut", func(p []string) { os.Truncate(p[len(p)-1], 100) }, "the archive stops short at the end of "},
		{"last cut on a block", func(p []string) { os.Truncate(p[len(p)-1], 0) }, "the archive stops short"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, work := splitFixture(t)
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			file := filepath.Join(work, "b.tar")
			if err := PackSplit(dir, file, 64<<10); err != nil {
				t.Fatal(err)
			}
			parts, _ := readParts(t, file)
			tc.harm(parts)
			from := file
			if strings.Contains(tc.name, "./") {
				t.Chdir(work)
				from = "./b.tar"
			}
			b, err := OpenBundle(context.Background(), from)
			if err == nil {
				b.Close()
				t.Fatalf("opened with a part harmed, want %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want %q", err, tc.want)
			}
			if left := names(t, tmp); len(left) > 0 {
				t.Errorf("$TMPDIR holds %v after the refusal", left)
			}
		})
	}
}

// splitFixture is a directory of files that do not compress, a few
// hundred KiB in all, and a work directory beside it.
func splitFixture(t *testing.T) (string, string) {
	t.Helper()
	dir, work := t.TempDir(), t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	for i, n := range []int{70_000, 3, 150_000, 20_000, 90_000} {
		b := make([]byte, n)
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		p := filepath.Join(dir, "blobs", "sha256", strings.Repeat(string(rune('a'+i)), 64))
		os.MkdirAll(filepath.Dir(p), 0o755)
		writeFile(t, p, string(b))
	}
	writeFile(t, filepath.Join(dir, "index.json"), "{}")
	return dir, work
}

// readParts are file's parts, in order, and their bytes joined.
func readParts(t *testing.T, file string) ([]string, []byte) {
	t.Helper()
	found, err := findParts(file)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var joined []byte
	for _, p := range found {
		b, err := os.ReadFile(p.name)
		if err != nil {
			t.Fatal(err)
		}
		names, joined = append(names, p.name), append(joined, b...)
	}
	return names, joined
}

// treeOf maps each regular file under dir to its bytes.
func treeOf(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func maps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}
