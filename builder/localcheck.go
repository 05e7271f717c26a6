package builder

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/istio-mab/istio-mab/builder/publish"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// checkLocalImage checks an image BuildKit wrote as an OCI layout tarball
// (--push=false) as publish checks a pushed one.
func checkLocalImage(tarball string, desc ocispecs.Descriptor, pl ocispecs.Platform, binaries []string) error {
	dir := strings.TrimSuffix(tarball, ".tar")
	if err := untar(tarball, dir); err != nil {
		return fmt.Errorf("reading %s: %w", tarball, err)
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		return err
	}
	img, err := lp.Image(v1.Hash{Algorithm: desc.Digest.Algorithm().String(), Hex: desc.Digest.Encoded()})
	if err != nil {
		return err
	}
	want := v1.Platform{OS: pl.OS, Architecture: pl.Architecture, Variant: pl.Variant}
	return publish.CheckImage(img, want, binaries)
}

// untar extracts the regular files of an OCI layout tarball.
func untar(path, dir string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if !filepath.IsLocal(h.Name) {
			return fmt.Errorf("unexpected path %q in OCI layout", h.Name)
		}
		if err := writeFile(filepath.Join(dir, h.Name), tr); err != nil {
			return err
		}
	}
}

func writeFile(path string, r io.Reader) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	out, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, r); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
