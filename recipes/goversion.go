package recipes

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"
)

// upstreamGo lists, for every Istio tag from 1.12.0, the Go that upstream's
// build image held when the tag was built (read from istio/tools at the
// tag's IMAGE_VERSION).
//
//go:embed upstream-go.txt
var upstreamGo string

// UpstreamGo is the Go version upstream built version with, e.g. "1.22.2"
// for 1.22.0; false when the tag is not recorded.
func UpstreamGo(version string) (string, bool) {
	for _, line := range strings.Split(upstreamGo, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == version {
			v, ok := strings.CutPrefix(f[1], "upstreamGo=")
			return v, ok
		}
	}
	return "", false
}

// The --go choices besides a version.
const (
	GoMinor    = "minor"    // the newest patch of upstream's Go minor: the recipe's golang:1.N (default)
	GoUpstream = "upstream" // upstream's exact patch for the tag, for a faithful rebuild
)

var goVersion = regexp.MustCompile(`^1\.[0-9]+(\.[0-9]+)?$`)

// GoImage is the Go builder image for version under choice: GoMinor (or
// empty), GoUpstream, or a Go version such as "1.22.7" that the user names,
// from the same repository as the recipe's image.
func GoImage(r Recipe, version, choice string) (string, error) {
	repo, _, _ := strings.Cut(r.GoImage, ":")
	switch {
	case choice == "" || choice == GoMinor:
		return r.GoImage, nil
	case choice == GoUpstream:
		v, ok := UpstreamGo(version)
		if !ok {
			return "", fmt.Errorf("--go upstream: which Go upstream built %s with is not recorded: name a version (--go 1.26.3) or use --go minor", version)
		}
		return repo + ":" + v, nil
	case goVersion.MatchString(choice):
		return repo + ":" + choice, nil
	}
	return "", fmt.Errorf("--go %q: want minor, upstream or a Go version such as 1.22.7", choice)
}
