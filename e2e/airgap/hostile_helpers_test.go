package airgap

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/publish"
)

// craftBundle writes into dir a small layout as export writes one: the
// list pilot:1.22.0 of a random linux/amd64 image (extra layers on top)
// and a random linux/arm64 one, an istioctl archive under files/, and the
// contents file.
func craftBundle(t *testing.T, dir string, extra ...v1.Layer) carry.Contents {
	t.Helper()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	amd, err := mutate.AppendLayers(e2etest.RandomImage(t, "amd64"), extra...)
	if err != nil {
		t.Fatal(err)
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: e2etest.RandomImage(t, "arm64"), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{publish.RefNameAnnotation: "pilot:1.22.0"})); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, "files", "istioctl-1.22.0-linux-amd64.tar.gz"), "istioctl")
	c := carry.Contents{Version: "1.22.0", Hub: "registry.example/istio", Lists: []carry.List{listEntry(t, idx)}}
	if c.Files, err = carry.FilesIn(dir, "files"); err != nil {
		t.Fatal(err)
	}
	if err := carry.WriteContents(dir, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func listEntry(t *testing.T, idx v1.ImageIndex) carry.List {
	t.Helper()
	d, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	size, _ := idx.Size()
	m, _ := idx.IndexManifest()
	l := carry.List{Name: "pilot", Digest: d, MediaType: types.OCIImageIndex, Size: size, Tags: []string{"1.22.0"}}
	for _, e := range m.Manifests {
		l.Platforms = append(l.Platforms, carry.PlatformEntry{Platform: e.Platform.String(), Digest: e.Digest})
	}
	return l
}

// bombLayer is a gzip layer of a tar holding n zero bytes.
func bombLayer(t *testing.T, n int64) v1.Layer {
	t.Helper()
	var b bytes.Buffer
	gz, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	tw := tar.NewWriter(gz)
	if err := tw.WriteHeader(&tar.Header{Name: "zeros", Mode: 0o644, Size: n, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeros{}, n); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	gz.Close()
	return static.NewLayer(b.Bytes(), types.OCILayer)
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// platformLayer is the first layer of l's image for arch, read from the layout.
func platformLayer(t *testing.T, dir string, l carry.List, arch string) v1.Hash {
	t.Helper()
	root, err := layout.Path(dir).ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := root.ImageIndex(l.Digest)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range l.Platforms {
		if p.Platform == "linux/"+arch {
			img, err := idx.Image(p.Digest)
			if err != nil {
				t.Fatal(err)
			}
			m, _ := img.Manifest()
			return m.Layers[0].Digest
		}
	}
	t.Fatalf("%s has no linux/%s image", l.Name, arch)
	return v1.Hash{}
}

func blobFile(dir string, d v1.Hash) string { return filepath.Join(dir, "blobs", d.Algorithm, d.Hex) }

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// entry is one tar entry a hostile bundle adds; Body for regular files.
type entry struct {
	tar.Header
	Body string
}

// withEntries writes to file the tarball of the layout at dir (as Pack
// writes it) followed by entries, so a refusal comes once the good entries
// were unpacked.
func withEntries(t *testing.T, dir, file string, entries ...entry) {
	t.Helper()
	b, tw := layoutEntries(t, dir)
	for _, e := range entries {
		h := e.Header
		h.Mode, h.Size = 0o644, int64(len(e.Body))
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, e.Body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, file, b.String())
}

// withRaw writes to file the tarball of the layout at dir followed by raw
// tar bytes: crafted headers archive/tar does not write.
func withRaw(t *testing.T, dir, file string, raw []byte) {
	t.Helper()
	b, tw := layoutEntries(t, dir)
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, file, b.String()+string(raw))
}

// layoutEntries are the entries of the layout at dir as Pack writes them,
// in a tar writer left open.
func layoutEntries(t *testing.T, dir string) (*bytes.Buffer, *tar.Writer) {
	t.Helper()
	good := filepath.Join(t.TempDir(), "good.tar")
	if err := carry.Pack(dir, good); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(good)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := &bytes.Buffer{}
	tw := tar.NewWriter(b)
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return b, tw
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(tw, tr); err != nil {
			t.Fatal(err)
		}
	}
}

// sparseEntry is an old GNU sparse entry (type 'S') that archive/tar no
// longer writes, and its 512 bytes of data, followed by the end marker:
// a tar that reads as size bytes.
func sparseEntry(t *testing.T, name string, size int64) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 512, Typeflag: tar.TypeReg, Format: tar.FormatGNU}); err != nil {
		t.Fatal(err)
	}
	tw.Write(make([]byte, 512))
	tw.Close()
	raw := b.Bytes()
	h := raw[:512]
	h[156] = 'S'
	copy(h[386:], fmt.Sprintf("%011o\x00%011o\x00", size-512, 512)) // one fragment, at the end
	copy(h[483:], fmt.Sprintf("%011o\x00", size))                   // the size it reads as
	copy(h[148:156], "        ")
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:], fmt.Sprintf("%06o\x00 ", sum))
	return raw
}

// oversizedEntry is a header declaring size bytes with none following.
func oversizedEntry(t *testing.T, name string, size int64) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: size, Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes() // the header alone: tw is not closed
}

// snapshot records every path under root with its type, size and, for
// regular files, sha256 (never opening anything else: a FIFO would block).
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := fmt.Sprintf("%s %d", info.Mode(), info.Size())
		if d.Type().IsRegular() {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			v += " " + hex.EncodeToString(sum[:])
		}
		out[strings.TrimPrefix(path, root)] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// changed lists what differs between two snapshots.
func changed(before, after map[string]string) []string {
	var out []string
	for p, v := range after {
		if before[p] != v {
			out = append(out, fmt.Sprintf("%s: %q, was %q", p, v, before[p]))
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			out = append(out, p+": removed")
		}
	}
	return out
}
