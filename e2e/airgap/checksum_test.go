package airgap

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/carry"
)

// flip is one byte of a bundle's file flipped: at an offset (negative:
// from the end) or at the first match of a text, xor mask.
type flip struct {
	file string
	at   int
	text string
	mask byte
}

func (f flip) String() string {
	if f.text != "" {
		return fmt.Sprintf("%s at %q ^ %#x", f.file, f.text, f.mask)
	}
	return fmt.Sprintf("%s byte %d ^ %#x", f.file, f.at, f.mask)
}

// offset is where f flips in b, or -1.
func (f flip) offset(b []byte) int {
	switch {
	case f.text != "":
		return bytes.Index(b, []byte(f.text))
	case f.at < 0:
		return len(b) + f.at
	}
	return min(f.at, len(b)-1)
}

// flips are bytes across a built bundle: its contents file (the checksum's
// own hex, a key's case, which JSON decoding ignores, the last byte),
// index.json, oci-layout, the largest blob, a list blob, a chart, the
// values, an istioctl archive and the lock.
func flips(t *testing.T, dir string, c carry.Contents) []flip {
	t.Helper()
	largest, size := "", int64(0)
	blobs, _ := filepath.Glob(filepath.Join(dir, "blobs", "sha256", "*"))
	for _, b := range blobs {
		if st, err := os.Stat(b); err == nil && st.Size() > size {
			largest, size = b, st.Size()
		}
	}
	rel := func(p string) string { r, _ := filepath.Rel(dir, p); return r }
	charts, _ := filepath.Glob(filepath.Join(dir, "charts", "*.tgz"))
	archives, _ := filepath.Glob(filepath.Join(dir, "files", "istioctl-*.tar.gz"))
	if largest == "" || len(charts) == 0 || len(archives) == 0 {
		t.Fatalf("the bundle lacks blobs (%d), charts (%v) or archives (%v)", len(blobs), charts, archives)
	}
	list := filepath.Join("blobs", "sha256", c.Lists[0].Digest.Hex)
	return []flip{
		{file: carry.ContentsFile, at: 0, mask: 1},
		{file: carry.ContentsFile, text: `checksum"`, mask: 1},
		{file: carry.ContentsFile, at: bytes.Index(mustReadFile(t, filepath.Join(dir, carry.ContentsFile)), []byte(`"checksum": "`)) + 20, mask: 1},
		{file: carry.ContentsFile, text: `"version"`, mask: 0x20},
		{file: carry.ContentsFile, at: -2, mask: 1},
		{file: "index.json", at: 0, mask: 1},
		{file: "index.json", at: -1, mask: 1},
		{file: "oci-layout", at: 5, mask: 1},
		{file: rel(largest), at: 0, mask: 1},
		{file: rel(largest), at: int(size / 2), mask: 0x80},
		{file: rel(largest), at: -1, mask: 1},
		{file: list, at: 10, mask: 1},
		{file: rel(charts[0]), at: -5, mask: 1},
		{file: filepath.Join("install", "values.yaml"), at: 0, mask: 1},
		{file: rel(archives[0]), at: 100, mask: 1},
		{file: "istio-mab.lock", at: 3, mask: 1},
	}
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// checkFlips imports the built bundle at dir (as a directory) with each
// byte of flips flipped in turn, restoring it after: each exits 5 with
// one line naming the checksum and what to do, and the registry gets no
// request.
func checkFlips(t *testing.T, e *hostileEnv, dir string, c carry.Contents) {
	for _, f := range flips(t, dir, c) {
		t.Run(f.String(), func(t *testing.T) {
			path := filepath.Join(dir, f.file)
			good := mustReadFile(t, path)
			at := f.offset(good)
			if at < 0 {
				t.Fatalf("%s: no such place in %s", f, f.file)
			}
			bad := slices.Clone(good)
			bad[at] ^= f.mask
			writeTestFile(t, path, string(bad))
			defer writeTestFile(t, path, string(good))
			res := e.run(t, dir)
			t.Logf("exit %d: %s", res.Code, res.Line)
			if res.Code != 5 || !strings.Contains(res.Line, "checksum") || !strings.Contains(res.Line, "carry the bundle again") {
				t.Errorf("exit %d: %s\nwant exit 5 naming the checksum and what to do", res.Code, res.Line)
			}
			if n := len(e.proxy.Requests()); n != 0 {
				t.Errorf("the registry got %d requests, want none", n)
			}
		})
	}
}
