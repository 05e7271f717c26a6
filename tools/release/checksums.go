package main

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// checksumsFile is goreleaser's name for the release's sha256 list.
const checksumsFile = "checksums.txt"

// writeChecksums writes dir/checksums.txt in sha256sum's format (hex, two
// spaces, name), sorted by name, so `sha256sum -c checksums.txt` in dir
// checks every archive. It returns the lines written.
func writeChecksums(dir string, names []string) ([]string, error) {
	sorted := append([]string(nil), names...)
	sort.Strings(sorted)
	lines := make([]string, len(sorted))
	for i, n := range sorted {
		sum, err := fsutil.FileSHA256(filepath.Join(dir, n))
		if err != nil {
			return nil, fmt.Errorf("hashing %s: %w", n, err)
		}
		lines[i] = sum + "  " + n
	}
	content := strings.Join(lines, "\n") + "\n"
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, checksumsFile), []byte(content)); err != nil {
		return nil, fmt.Errorf("writing %s: %w", checksumsFile, err)
	}
	return lines, nil
}
