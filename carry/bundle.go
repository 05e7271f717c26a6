package carry

import (
	"context"
	"fmt"
	"os"
)

// Bundle is what import reads: a layout directory as given, or a tarball
// unpacked (Unpack) into a private temporary directory, the one place an
// import writes to disk, which Close removes.
type Bundle struct {
	Dir  string // the layout
	Name string // as the user gave it, for messages
	tmp  string // removed by Close; "" for a directory given
}

// OpenBundle opens from, a layout directory or its tarball, whole or split
// (FILE or any of its parts FILE.part-NNN, see PackSplit). A tarball is
// unpacked under os.TempDir() ($TMPDIR) into a new istio-mab-import-*
// directory; any failure removes it before returning, as Close does after
// the import, and ctx ends a long unpack (an interrupt).
func OpenBundle(ctx context.Context, from string) (*Bundle, error) {
	if from == "" {
		return nil, fmt.Errorf("--from is required: the layout directory or tarball to import")
	}
	file, split, err := bundleFile(from)
	if err != nil {
		return nil, err
	}
	if file == "" {
		return &Bundle{Dir: from, Name: from}, nil
	}
	tmp, err := os.MkdirTemp("", "istio-mab-import-")
	if err != nil {
		return nil, fmt.Errorf("unpacking %s: %w", from, err)
	}
	b := &Bundle{Dir: tmp, Name: file, tmp: tmp}
	unpack := Unpack
	if split {
		unpack = UnpackSplit
	}
	if err := unpack(ctx, file, tmp); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// bundleFile is the tarball from names ("" for a directory), and whether
// it is split: from is a part (FILE.part-001), or FILE is absent and its
// parts are beside it.
func bundleFile(from string) (string, bool, error) {
	st, err := os.Stat(from)
	if err == nil && st.IsDir() {
		return "", false, nil
	}
	if base, ok := splitBase(from); ok && err == nil {
		return base, true, nil
	}
	if err == nil {
		return from, false, nil
	}
	if parts, perr := findParts(from); perr == nil && len(parts) > 0 {
		return from, true, nil
	}
	return "", false, fmt.Errorf("--from %s: %w", from, err)
}

// Close removes the directory a tarball was unpacked into.
func (b *Bundle) Close() error {
	if b.tmp == "" {
		return nil
	}
	return os.RemoveAll(b.tmp)
}
