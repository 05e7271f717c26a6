package carry

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/klauspost/compress/zstd"
)

// A layer's declared size is its compressed size; nothing declares how far
// it expands. Import bounds it anyway, before pushing, since the binary
// check decompresses every layer: a layer may expand to ExpansionRatio
// times its size, and always to ExpansionFloor. Real layers expand 2 to 10
// times (Istio's about 3); gzip cannot pass about 1030 times, which a
// bomb of zeros reaches.
const (
	ExpansionRatio = 100
	ExpansionFloor = 64 << 20
)

// ExpansionLimit is how many bytes a layer of size compressed bytes may
// expand to.
func ExpansionLimit(size int64) int64 {
	if size > math.MaxInt64/ExpansionRatio {
		return math.MaxInt64
	}
	return max(size*ExpansionRatio, ExpansionFloor)
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// errExpands is a layer expanding past its limit.
var errExpands = errors.New("expands past its bound")

// expand decompresses r (gzip or zstd, told by their magic numbers; any
// other blob does not expand) into nothing, failing with errExpands once it
// passes limit bytes. It returns the bytes it expanded to.
func expand(r *bufio.Reader, limit int64) (int64, error) {
	magic, _ := r.Peek(len(zstdMagic))
	var zr io.Reader
	switch {
	case bytes.HasPrefix(magic, gzipMagic):
		gz, err := gzip.NewReader(r)
		if err != nil {
			return 0, fmt.Errorf("decompressing gzip: %w", err)
		}
		zr = gz
	case bytes.HasPrefix(magic, zstdMagic):
		zd, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true))
		if err != nil {
			return 0, fmt.Errorf("decompressing zstd: %w", err)
		}
		defer zd.Close()
		zr = zd
	default:
		return 0, nil
	}
	n, err := io.Copy(io.Discard, io.LimitReader(zr, limit+1))
	if n > limit {
		return n, errExpands
	}
	if err != nil {
		return n, fmt.Errorf("decompressing: %w", err)
	}
	return n, nil
}
