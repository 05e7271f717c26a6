package carry

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"github.com/istio-mab/istio-mab/internal/failure"
)

func TestCheckEntry(t *testing.T) {
	const budget = 1 << 20
	reg := func(name string) *tar.Header { return &tar.Header{Name: name, Typeflag: tar.TypeReg, Size: 10} }
	for _, tc := range []struct {
		h    *tar.Header
		want string // "" when accepted
	}{
		{reg("blobs/sha256/abc"), ""},
		{reg("./index.json"), ""},
		{&tar.Header{Name: "blobs/", Typeflag: tar.TypeDir}, ""},
		{reg("../canary"), `entry "../canary" leaves the bundle`},
		{reg("blobs/../../canary"), "leaves the bundle"},
		{reg("/etc/passwd"), `entry "/etc/passwd" is an absolute path`},
		{&tar.Header{Name: "blobs/sha256/x", Typeflag: tar.TypeSymlink, Linkname: "../../../etc"}, `is a symbolic link to "../../../etc"`},
		{&tar.Header{Name: "x", Typeflag: tar.TypeSymlink, Linkname: "index.json"}, "is a symbolic link"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeLink, Linkname: "/etc/shadow"}, `is a hard link to "/etc/shadow"`},
		{&tar.Header{Name: "x", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}, "is a device file (1, 3)"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeBlock, Devmajor: 8}, "is a device file (8, 0)"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeFifo}, "is a FIFO"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeGNUSparse, Size: 1 << 40}, "is a sparse file of 1099511627776 bytes"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeReg, PAXRecords: map[string]string{"GNU.sparse.major": "1"}}, "is a sparse file"},
		{&tar.Header{Name: "x", Typeflag: tar.TypeReg, Size: budget + 1}, "declares 1048577 bytes, more than the 1048576 left in the archive"},
	} {
		left, err := checkEntry("b.tar", tc.h, budget)
		if tc.want == "" {
			if err != nil || left != budget-tc.h.Size {
				t.Errorf("%q: %v, %d left", tc.h.Name, err, left)
			}
			continue
		}
		refusal(t, err, failure.CodeUsage, "reading bundle b.tar: ", tc.want)
	}
}

// Each hostile tar is refused at its entry: the canary where a ".." path
// lands is unchanged, nothing appears beside the directory, and what
// came before the entry went into the directory only.
func TestUnpackRefusesHostileTars(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "abs-canary")
	writeFile(t, abs, "canary")
	for _, tc := range []struct {
		name    string
		entries []*tar.Header
		want    string
	}{
		{"dot-dot", []*tar.Header{reg("../canary")}, `"../canary" leaves the bundle`},
		{"absolute", []*tar.Header{reg(abs)}, "is an absolute path"},
		{"symlink out, then through it", []*tar.Header{{Name: "esc", Typeflag: tar.TypeSymlink, Linkname: ".."}, reg("esc/canary")}, `"esc" is a symbolic link to ".."`},
		{"hard link out", []*tar.Header{{Name: "hl", Typeflag: tar.TypeLink, Linkname: "../canary"}, reg("hl")}, `"hl" is a hard link to "../canary"`},
		{"device", []*tar.Header{{Name: "null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}, `"null" is a device file`},
		{"fifo", []*tar.Header{{Name: "pipe", Typeflag: tar.TypeFifo}}, `"pipe" is a FIFO`},
		{"a name given twice", []*tar.Header{reg("index.json")}, `"index.json" appears twice`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "unpacked")
			os.Mkdir(dir, 0o755)
			writeFile(t, filepath.Join(parent, "canary"), "canary")
			bundle := filepath.Join(t.TempDir(), "b.tar")
			writeFile(t, bundle, string(tarOf(t, append([]*tar.Header{reg("index.json")}, tc.entries...))))
			refusal(t, Unpack(t.Context(), bundle, dir), failure.CodeUsage, tc.want)
			if got := names(t, parent); !slices.Equal(got, []string{"canary", "unpacked"}) {
				t.Errorf("beside the directory: %v", got)
			}
			for path, want := range map[string]string{filepath.Join(parent, "canary"): "canary", abs: "canary"} {
				if b, _ := os.ReadFile(path); string(b) != want {
					t.Errorf("%s holds %q", path, b)
				}
			}
			if got := names(t, dir); !slices.Equal(got, []string{"index.json"}) {
				t.Errorf("unpacked %v, want index.json alone", got)
			}
		})
	}
}

func TestUnpackRefusesSparseTar(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.tar")
	writeFile(t, bundle, string(sparseTar(t, "blobs/sha256/big", 1<<32)))
	dir := t.TempDir()
	refusal(t, Unpack(t.Context(), bundle, dir), failure.CodeUsage, `"blobs/sha256/big" is a sparse file of 4294967296 bytes`)
	if got := names(t, dir); len(got) != 0 {
		t.Errorf("unpacked %v", got)
	}
}

func TestUnpackStopsWhenCancelled(t *testing.T) {
	bundle := filepath.Join(t.TempDir(), "b.tar")
	writeFile(t, bundle, string(tarOf(t, []*tar.Header{reg("index.json")})))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := Unpack(ctx, bundle, t.TempDir()); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
}

// A layout directory is refused for anything but directories and regular
// files with one name: links are not followed, so nothing outside is read.
func TestCheckTree(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside")
	writeFile(t, outside, "secret")
	for name, tc := range map[string]struct {
		make func(path string) error
		want string
	}{
		"symlink":   {func(p string) error { return os.Symlink(outside, p) }, "is a symbolic link to " + fmt.Sprintf("%q", outside)},
		"hard link": {func(p string) error { return os.Link(outside, p) }, "is a hard link (2 names)"},
		"fifo":      {func(p string) error { return syscall.Mkfifo(p, 0o644) }, "is a FIFO"},
		"device":    {func(p string) error { return syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|3) }, "is a device file"},
	} {
		t.Run(name, func(t *testing.T) {
			dir, _ := craftLayout(t)
			path := filepath.Join(dir, "blobs", "sha256", "entry")
			if err := tc.make(path); errors.Is(err, syscall.EPERM) {
				t.Skipf("creating a %s needs privileges this test lacks: %v", name, err)
			} else if err != nil {
				t.Fatal(err)
			}
			_, err := Vet(t.Context(), dir, "layout")
			refusal(t, err, failure.CodeUsage, `reading bundle `, `entry "blobs/sha256/entry" `+tc.want)
		})
	}
}

func reg(name string) *tar.Header {
	return &tar.Header{Name: name, Mode: 0o644, Size: int64(len("{}")), Typeflag: tar.TypeReg}
}

// tarOf is a tar of hs, each regular file holding "{}".
func tarOf(t *testing.T, hs []*tar.Header) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, h := range hs {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte("{}"))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// sparseTar is a tar of one old GNU sparse entry (type 'S'), which
// archive/tar writes no longer: 512 bytes in the archive, read as size.
func sparseTar(t *testing.T, name string, size int64) []byte {
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

func names(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
