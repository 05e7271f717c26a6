package publish

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/internal/exe"
)

// checkBinaries checks each path of img is an executable for p, without
// running anything, and returns the first problem.
func checkBinaries(img v1.Image, p ocispecs.Platform, paths []string) error {
	if errs := binaryErrors(img, p, paths); len(errs) > 0 {
		if errs[0].path == "" {
			return errs[0].err
		}
		return fmt.Errorf("%s: %w", errs[0].path, errs[0].err)
	}
	return nil
}

func checkEntry(hdr *tar.Header, r io.Reader, p ocispecs.Platform) error {
	switch hdr.Typeflag {
	case tar.TypeReg:
		return exe.CheckStream(r, p)
	case tar.TypeSymlink, tar.TypeLink:
		return fmt.Errorf("is a link to %s: name the target instead", hdr.Linkname)
	default:
		return errors.New("is not a regular file")
	}
}
