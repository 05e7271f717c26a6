package carry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// The bundle's checksum is one sha256 over everything a bundle holds, so
// that one flipped byte anywhere is refused before any registry request,
// whichever file it is in. It is the sha256 of the sorted lines
// "<sha256>  <path>\n" (sha256sum's format) of every regular file but the
// contents file, followed by the contents file's own bytes with the
// checksum's hex replaced by 64 zeros. The contents file is summed as
// text, not as parsed JSON, so a change JSON decoding would not see (the
// case of a key) is caught too. It detects damage, not a forger, who can
// compute it again: signatures (--verify-key) are for that.
var checksumField = regexp.MustCompile(`"checksum"\s*:\s*"([0-9a-f]{64})"`)

var zeroSum = strings.Repeat("0", sha256.Size*2)

// bundleSum is the checksum of the bundle at dir whose contents file
// holds raw, with the checksum's hex at [at, at+64).
func bundleSum(dir string, raw []byte, at int) (string, error) {
	lines, err := fileLines(dir)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	h.Write(raw[:at])
	h.Write([]byte(zeroSum))
	h.Write(raw[at+len(zeroSum):])
	return hex.EncodeToString(h.Sum(nil)), nil
}

// fileLines are "<sha256>  <path>\n" of every regular file under dir but
// the contents file, sorted by path (slash-separated, relative to dir).
func fileLines(dir string) ([]string, error) {
	var lines []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil || rel == ContentsFile {
			return err
		}
		f, err := hashFile(path)
		if err != nil {
			return err
		}
		lines = append(lines, f.SHA256+"  "+filepath.ToSlash(rel)+"\n")
		return nil
	})
	sort.Slice(lines, func(i, j int) bool { return lines[i][sha256.Size*2+2:] < lines[j][sha256.Size*2+2:] })
	return lines, err
}

// sumAt finds the one checksum field of raw: the offset of its hex, or -1
// when raw holds none or more than one.
func sumAt(raw []byte) int {
	m := checksumField.FindAllSubmatchIndex(raw, 2)
	if len(m) != 1 {
		return -1
	}
	return m[0][2]
}

// Stamp writes the checksum of the bundle at dir into its contents file,
// which must hold a checksum field (WriteContents writes one); done last,
// once every other file of the bundle is written.
func Stamp(dir string) error {
	path := filepath.Join(dir, ContentsFile)
	raw, err := readBounded(path)
	if err != nil {
		return err
	}
	at := sumAt(raw)
	if at < 0 {
		return fmt.Errorf("%s holds no single checksum field to stamp", ContentsFile)
	}
	sum, err := bundleSum(dir, raw, at)
	if err != nil {
		return fmt.Errorf("summing the bundle %s: %w", dir, err)
	}
	copy(raw[at:], sum)
	return fsutil.WriteFileAtomic(path, raw)
}

// checkSum refuses the bundle at dir unless its contents file holds one
// checksum and it is the bundle's: verification, exit 5. Run before the
// contents file is parsed, so a damaged one is refused as damage.
func checkSum(dir, name string) error {
	raw, err := readBounded(filepath.Join(dir, ContentsFile))
	if err != nil {
		return nil // readContents names the missing or oversized file
	}
	at := sumAt(raw)
	if at < 0 {
		return failure.Verify(fmt.Errorf("checking bundle %s: %s holds no checksum (every bundle istio-mab writes has one, so this one is damaged or was written by hand): %s", name, ContentsFile, carryAgain))
	}
	got, err := bundleSum(dir, raw, at)
	if err != nil {
		return fmt.Errorf("checking bundle %s: %w", name, err)
	}
	if want := string(raw[at : at+len(zeroSum)]); got != want {
		return failure.Verify(fmt.Errorf("checking bundle %s: its files sum to checksum %s, %s records %s: a file was altered, damaged, added or removed: %s", name, got, ContentsFile, want, carryAgain))
	}
	return nil
}
