package parse

import (
	"fmt"
	"strings"
)

// Output is an OCI layout written instead of a push; zero: none.
type Output struct {
	LayoutDir string // the layout directory
	TarFile   string // the tarball the layout becomes, for tar:FILE
	SplitSize int64  // when set, the tarball is written in parts of at most this many bytes
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

// WithSplit sets out's part size from --split (s), which only a tarball
// (tar:FILE given to outFlag) takes; an error is checked before anything
// is built or written.
func WithSplit(out Output, outFlag, s string) (Output, error) {
	size, err := Split("--split", s)
	if err != nil || size == 0 {
		return out, err
	}
	if out.TarFile == "" {
		return out, fmt.Errorf("--split cuts a tarball into parts: give %s tar:FILE, e.g. %s tar:istio.tar --split 4G", outFlag, outFlag)
	}
	out.SplitSize = size
	return out, nil
}
