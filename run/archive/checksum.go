package archive

import ()

// checksumLine is the content of FILE.sha256 as release-builder writes it
// (pkg/util/files.go CreateSha: "%x %s\n"): one space, the base name, newline.
func checksumLine(sum, name string) string {
	return sum + " " + name + "\n"
}
