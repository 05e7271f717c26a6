package publish

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// binaryError is one binary that is not an executable for its platform.
type binaryError struct {
	path string
	err  error
}

// binaryErrors is checkBinaries reporting every binary at fault instead of
// the first, in the order of paths, from one pass over the filesystem.
func binaryErrors(img v1.Image, p ocispecs.Platform, paths []string) []binaryError {
	found := map[string]error{}
	pending := map[string]bool{}
	for _, f := range paths {
		pending[path.Clean("/"+f)] = true
	}
	fs := mutate.Extract(img)
	defer fs.Close()
	tr := tar.NewReader(fs)
	for len(pending) > 0 {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return []binaryError{{path: "", err: fmt.Errorf("reading image filesystem: %w", err)}}
		}
		file := path.Clean("/" + hdr.Name)
		if pending[file] {
			delete(pending, file)
			found[file] = checkEntry(hdr, tr, p)
		}
	}
	var out []binaryError
	for _, f := range paths {
		file := path.Clean("/" + f)
		if pending[file] {
			out = append(out, binaryError{file, errors.New("not found in the image filesystem")})
		} else if err := found[file]; err != nil {
			out = append(out, binaryError{file, err})
		}
	}
	return out
}
