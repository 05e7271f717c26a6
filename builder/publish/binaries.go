package publish

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"

	"github.com/istio-mab/istio-mab/builder/exe"
)

// checkBinaries reads the flattened filesystem of img (mutate.Extract walks
// layers top-down and applies whiteouts) until every path was seen, and
// checks each is an executable for p, without running anything.
func checkBinaries(img v1.Image, p ocispecs.Platform, paths []string) error {
	if len(paths) == 0 {
		return nil
	}
	pending := map[string]bool{}
	for _, f := range paths {
		pending[path.Clean("/"+f)] = true
	}
	fs := mutate.Extract(img)
	defer fs.Close()
	tr := tar.NewReader(fs)
	for len(pending) > 0 {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("reading image filesystem: %w", err)
		}
		file := path.Clean("/" + hdr.Name)
		if !pending[file] {
			continue
		}
		delete(pending, file)
		if err := checkEntry(hdr, tr, p); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	}
	for _, f := range paths {
		if file := path.Clean("/" + f); pending[file] {
			return fmt.Errorf("%s: not found in the image filesystem", file)
		}
	}
	return nil
}

func checkEntry(hdr *tar.Header, r io.Reader, p ocispecs.Platform) error {
	switch hdr.Typeflag {
	case tar.TypeReg:
		return checkBinary(r, p)
	case tar.TypeSymlink, tar.TypeLink:
		return fmt.Errorf("is a link to %s: name the target instead", hdr.Linkname)
	default:
		return errors.New("is not a regular file")
	}
}

// checkBinary spools the file to disk: ELF section headers sit at the end of
// the file, and envoy is too big to hold in memory per platform.
func checkBinary(r io.Reader, p ocispecs.Platform) error {
	f, err := os.CreateTemp("", "istio-mab-binary-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return fmt.Errorf("reading file: %w", err)
	}
	return exe.Check(f, p)
}
