package archive

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
)

// checksumLine is the content of FILE.sha256 as release-builder writes it
// (pkg/util/files.go CreateSha: "%x %s\n"): one space, the base name, newline.
func checksumLine(sum, name string) string {
	return sum + " " + name + "\n"
}

// FileSHA256 is the hex sha256 of a file's content.
func FileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
