package e2e

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// layerGzipLevel is builder/image.LayerCompressionLevel: the e2e package
// checks the pushed bytes, not the constant.
const layerGzipLevel = 4

// checkLayerLevel asserts every layer of img holding one of paths is its own
// content gzipped by Go at layerGzipLevel with a zero header, as BuildKit
// writes it with compression-level: so the level istio-mab asks for is the
// level pushed.
func checkLayerLevel(t *testing.T, img v1.Image, paths ...string) {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, l := range layers {
		raw := uncompressedLayer(t, l)
		if !holdsAny(t, raw, paths) {
			continue
		}
		checked++
		var buf bytes.Buffer
		gz, _ := gzip.NewWriterLevel(&buf, layerGzipLevel) // a valid level never fails
		gz.Write(raw)
		gz.Close()
		sum := sha256.Sum256(buf.Bytes())
		d, err := l.Digest()
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(sum[:]); got != d.Hex {
			t.Errorf("layer %s is not its content at gzip level %d (that gives sha256:%s)", d, layerGzipLevel, got)
		}
	}
	if checked == 0 {
		t.Errorf("no layer holds any of %v", paths)
	}
}

func uncompressedLayer(t *testing.T, l v1.Layer) []byte {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func holdsAny(t *testing.T, layerTar []byte, paths []string) bool {
	t.Helper()
	tr := tar.NewReader(bytes.NewReader(layerTar))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return false
		}
		if err != nil {
			t.Fatal(err)
		}
		if slices.Contains(paths, "/"+strings.TrimPrefix(h.Name, "./")) {
			return true
		}
	}
}
