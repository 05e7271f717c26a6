package carry

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// blob checks the blob d: there, of its declared size, with its sha256,
// and for a layer (gzip or zstd) expanding within ExpansionLimit. It reads
// the file once and returns its bytes for an index or a manifest. A layer
// the contents file declares in the base may be absent.
func (v *vetter) blob(ctx context.Context, d v1.Descriptor, trail string, layer bool) ([]byte, error) {
	if d.Digest.Algorithm != "sha256" || len(d.Digest.Hex) != sha256.Size*2 {
		return nil, v.fail("%s names the digest %q, not a sha256", trail, d.Digest)
	}
	path := filepath.Join(v.dir, "blobs", d.Digest.Algorithm, d.Digest.Hex)
	info, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) && layer && v.inBase[d.Digest] {
		return nil, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, v.fail("blob %s (%s) is missing from the layout", d.Digest, trail)
	}
	if err != nil {
		return nil, fmt.Errorf("checking bundle %s: %w", v.name, err)
	}
	if info.Size() != d.Size {
		return nil, v.fail("blob %s (%s) holds %d bytes, %d declared", d.Digest, trail, info.Size(), d.Size)
	}
	keep := d.MediaType.IsIndex() || d.MediaType.IsImage()
	if keep && d.Size > maxManifest {
		return nil, v.fail("manifest %s (%s) declares %d bytes, more than the %d a manifest may hold", d.Digest, trail, d.Size, maxManifest)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("checking bundle %s: %w", v.name, err)
	}
	defer f.Close()
	h, kept := sha256.New(), &bytes.Buffer{}
	w := io.Writer(h)
	if keep {
		w = io.MultiWriter(h, kept)
	}
	r := bufio.NewReader(io.TeeReader(ctxReader{ctx, f}, w))
	var expanded error // reported once the bytes are known to be the declared ones
	if layer {
		_, expanded = expand(r, ExpansionLimit(d.Size))
	}
	if _, err := io.Copy(io.Discard, r); err != nil {
		return nil, fmt.Errorf("checking bundle %s: reading blob %s: %w", v.name, d.Digest, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != d.Digest.Hex {
		return nil, v.fail("blob %s (%s) holds bytes of sha256:%s instead: altered or damaged", d.Digest, trail, got)
	}
	if expanded != nil {
		return nil, v.expansion(expanded, d, trail)
	}
	return kept.Bytes(), nil
}

// expansion is the refusal of a layer that expanded past ExpansionLimit
// or did not decompress.
func (v *vetter) expansion(err error, d v1.Descriptor, trail string) error {
	if errors.Is(err, errExpands) {
		return v.fail("layer %s (%s) expands past %d bytes from its %d (at most %d times its size, or %d MiB): a decompression bomb",
			d.Digest, trail, ExpansionLimit(d.Size), d.Size, ExpansionRatio, ExpansionFloor>>20)
	}
	return v.fail("layer %s (%s): %v", d.Digest, trail, err)
}
