package carry

import (
	"archive/tar"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// ReadBase reads the contents file of a previous bundle, for a delta
// against it (export --since): the bundle's directory, its tarball, or
// the contents file alone. It must name its checksum and every list's
// blobs, as bundles of this istio-mab do.
func ReadBase(from string) (Contents, error) {
	raw, err := baseContents(from)
	if err != nil {
		return Contents{}, fmt.Errorf("--since %s: %w", from, err)
	}
	var c Contents
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("--since %s: reading %s: %w", from, ContentsFile, err)
	}
	if c.Checksum == "" || c.Checksum == zeroSum {
		return c, fmt.Errorf("--since %s: its %s holds no checksum: give a bundle written by this istio-mab, or export in full", from, ContentsFile)
	}
	for _, l := range c.Lists {
		if len(l.Blobs) == 0 {
			return c, fmt.Errorf("--since %s: its %s does not list the blobs of %s: give a bundle written by this istio-mab, or export in full", from, ContentsFile, l.Name)
		}
	}
	return c, nil
}

// baseContents are the bytes of the contents file from names.
func baseContents(from string) ([]byte, error) {
	st, err := os.Stat(from)
	switch {
	case err != nil:
		return nil, err
	case st.IsDir():
		return readBounded(from + "/" + ContentsFile)
	case strings.HasSuffix(from, ".json"):
		return readBounded(from)
	}
	return contentsInTar(from)
}

// contentsInTar reads the contents file out of a bundle's tarball.
func contentsInTar(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("the tarball holds no %s: give a bundle istio-mab wrote", ContentsFile)
		}
		if err != nil {
			return nil, fmt.Errorf("reading the tarball: %w", err)
		}
		if path.Clean(h.Name) != ContentsFile || h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Size > maxManifest {
			return nil, fmt.Errorf("its %s holds %d bytes, more than the %d it may", ContentsFile, h.Size, maxManifest)
		}
		return io.ReadAll(tr)
	}
}

// checkBase, for a delta, asks hub's registry for every layer the delta
// relies on its base for, each in the repository its list goes to, before
// anything is written: a delta imported without its base fails naming
// the base to import first (bad input, exit 2).
func checkBase(ctx context.Context, access *registry.Access, hub, bundle string, c Contents) error {
	for _, l := range c.Lists {
		if len(l.InBase) == 0 {
			continue
		}
		repo, err := access.Repository(strings.TrimSuffix(hub, "/") + "/" + l.Name)
		if err != nil {
			return err
		}
		for _, d := range l.InBase {
			ref := repo.Digest(d.String())
			layer, err := remote.Layer(ref, access.Remote(ctx)...)
			if err == nil {
				_, err = layer.Size() // a HEAD request
			}
			if registry.IsNotFound(err) {
				return failure.Usage(fmt.Errorf("bundle %s is a delta on Istio %s (checksum %s): %s lacks its layer %s: import that base bundle (and any it is a delta on) into %s first, then this one; nothing was pushed",
					bundle, c.Base.Version, c.Base.Checksum, repo, d, hub))
			}
			if err != nil {
				return failure.Registry(registry.Explain("reading", ref, err))
			}
		}
	}
	return nil
}
