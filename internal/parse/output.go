package parse

import (
	"fmt"
	"strings"
)

// Output is an OCI layout written instead of a push; zero: none.
type Output struct {
	LayoutDir string // the layout directory
	TarFile   string // the tarball the layout becomes, for tar:FILE
}

// Layout reads --output (flag): oci-layout:DIR or tar:FILE; empty is none.
func Layout(flag, s string) (Output, error) {
	kind, path, _ := strings.Cut(s, ":")
	switch {
	case s == "":
		return Output{}, nil
	case kind == "oci-layout" && path != "":
		return Output{LayoutDir: path}, nil
	case kind == "tar" && path != "":
		// The layout is written beside FILE and packed at the end; a failed
		// run leaves it, and a rerun reuses its blobs.
		return Output{LayoutDir: path + ".layout", TarFile: path}, nil
	}
	return Output{}, fmt.Errorf("%s %q: use oci-layout:DIR or tar:FILE", flag, s)
}
