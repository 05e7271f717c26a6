package carry

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// forge stamps the checksum of dir again after a test altered the bundle,
// as a hand that computes it again would, so that the checks behind the
// checksum are reached. A contents file it cannot stamp is left alone.
func forge(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, ContentsFile)
	raw, err := os.ReadFile(path)
	if err != nil || len(raw) > maxManifest {
		return
	}
	raw = regexp.MustCompile(`"checksum"\s*:\s*"[^"]*"`).ReplaceAll(raw, []byte(`"checksum":"`+zeroSum+`"`))
	if sumAt(raw) < 0 {
		return
	}
	writeFile(t, path, string(raw))
	if err := Stamp(dir); err != nil {
		t.Fatal(err)
	}
}

// bundleFiles are the regular files of the bundle at dir, relative to it.
func bundleFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel, _ := filepath.Rel(dir, path)
			out = append(out, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// offsets are where a byte of the file rel of n bytes is flipped: every
// byte of the contents file, the first, the middle and the last of others.
func offsets(rel string, n int) []int {
	if rel == ContentsFile {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return []int{0, n / 2, n - 1}
}

// checksumRefusal checks a refusal of one flipped byte: exit 5, one line,
// naming the checksum or the damage and what to do.
func checksumRefusal(t *testing.T, err error, what string) {
	t.Helper()
	switch {
	case err == nil:
		t.Fatalf("%s: accepted", what)
	case failure.Code(err) != failure.CodeVerify:
		t.Fatalf("%s: exit %d, want 5: %v", what, failure.Code(err), err)
	case strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "carry the bundle again"):
		t.Fatalf("%s: want one line saying to carry the bundle again: %q", what, err)
	case !strings.Contains(err.Error(), "checksum"):
		t.Fatalf("%s: the refusal does not name the checksum: %v", what, err)
	}
}

// One flipped byte anywhere in a bundle directory, in any file (the
// contents file too, its checksum's hex and its keys' case included), is
// refused by Vet as a checksum mismatch, exit 5.
func TestChecksumCatchesOneFlippedByteInEveryFile(t *testing.T) {
	dir, _ := craftLayout(t)
	if _, err := Vet(t.Context(), dir, "bundle"); err != nil {
		t.Fatalf("the good bundle: %v", err)
	}
	flips := 0
	for _, rel := range bundleFiles(t, dir) {
		path := filepath.Join(dir, rel)
		good, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, at := range offsets(rel, len(good)) {
			masks := []byte{0x01}
			if c := good[at] | 0x20; c >= 'a' && c <= 'z' {
				masks = append(masks, 0x20) // the case of a letter: "Version" decodes as "version"
			}
			for _, mask := range masks {
				bad := bytes.Clone(good)
				bad[at] ^= mask
				writeFile(t, path, string(bad))
				_, err := Vet(t.Context(), dir, "bundle")
				checksumRefusal(t, err, fmt.Sprintf("%s byte %d ^ %#x", rel, at, mask))
				flips++
			}
		}
		writeFile(t, path, string(good))
	}
	if _, err := Vet(t.Context(), dir, "bundle"); err != nil {
		t.Fatalf("the bundle restored: %v", err)
	}
	t.Logf("%d flips in %d files, each refused", flips, len(bundleFiles(t, dir)))
}

// The same in a tarball: a byte flipped in any file's bytes inside it is
// refused once it is unpacked, before Vet returns.
func TestChecksumCatchesOneFlippedByteInATarball(t *testing.T) {
	dir, _ := craftLayout(t)
	tarball := filepath.Join(t.TempDir(), "bundle.tar")
	if err := Pack(dir, tarball); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(tarball)
	if err != nil {
		t.Fatal(err)
	}
	spans := dataSpans(t, good)
	if len(spans) != len(bundleFiles(t, dir)) {
		t.Fatalf("%d files in the tarball, %d in the bundle", len(spans), len(bundleFiles(t, dir)))
	}
	for rel, span := range spans {
		start, content := span[0], good[span[0]:span[1]]
		for _, at := range []int{0, len(content) / 2, len(content) - 1} {
			bad := bytes.Clone(good)
			bad[start+at] ^= 1
			writeFile(t, tarball, string(bad))
			b, err := OpenBundle(t.Context(), tarball)
			if err != nil {
				t.Fatalf("%s: unpacking: %v", rel, err)
			}
			_, err = Vet(t.Context(), b.Dir, tarball)
			b.Close()
			checksumRefusal(t, err, rel)
		}
	}
}

// dataSpans are where each regular file's bytes lie in the tarball raw.
func dataSpans(t *testing.T, raw []byte) map[string][2]int {
	t.Helper()
	r := bytes.NewReader(raw)
	tr := tar.NewReader(r)
	out := map[string][2]int{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg && h.Size > 0 {
			start := len(raw) - r.Len() // archive/tar reads whole blocks, no further
			out[h.Name] = [2]int{start, start + int(h.Size)}
			if !bytes.Equal(raw[start:start+int(h.Size)], mustRead(t, tr)) {
				t.Fatalf("%s: its bytes are not at %d", h.Name, start)
			}
		}
	}
}

func mustRead(t *testing.T, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A bundle whose contents file holds no checksum is refused: every bundle
// istio-mab writes has one.
func TestVetRefusesABundleWithoutChecksum(t *testing.T) {
	dir, c := craftLayout(t)
	rewriteContents(t, dir, c) // c.Checksum is empty: WriteContents set its own copy's
	_, err := Vet(t.Context(), dir, "bundle")
	refusal(t, err, failure.CodeVerify, "istio-mab.json holds no checksum (every bundle istio-mab writes has one")
}

// The checksum covers files the contents file does not list: one added
// anywhere is refused.
func TestChecksumCatchesAnAddedFile(t *testing.T) {
	dir, _ := craftLayout(t)
	writeFile(t, filepath.Join(dir, "blobs", "sha256", "extra"), "x")
	_, err := Vet(t.Context(), dir, "bundle")
	checksumRefusal(t, err, "an added file")
}
