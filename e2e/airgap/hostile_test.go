package airgap

import (
	"archive/tar"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// hostileEnv imports bundles with the istio-mab command into the stack's
// plain registry through a recording proxy, with $TMPDIR a directory of
// the test's holding only a canary file: where a tarball's "../canary"
// lands from the directory import unpacks into.
type hostileEnv struct {
	proxy *faultproxy.Proxy
	hub   string
	work  string // everything the test writes: tmp/, the bundles, files outside them
	tmp   string
}

const canaryText = "canary: not to be written\n"

func newHostileEnv(t *testing.T) *hostileEnv {
	t.Helper()
	s := e2etest.LoadStack(t)
	p, err := faultproxy.New("http://"+s.Registry, faultproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	work := t.TempDir()
	e := &hostileEnv{proxy: p, hub: p.Host() + "/e2e-hostile-" + e2etest.RandomSuffix(t) + "/istio", work: work, tmp: filepath.Join(work, "tmp")}
	writeTestFile(t, filepath.Join(e.tmp, "canary"), canaryText)
	writeTestFile(t, filepath.Join(work, "abs-canary"), canaryText)
	return e
}

// importResult is one import's exit code and one-line error.
type importResult struct {
	e2etest.Result
	Line string // stderr's one line but warnings
}

// run imports from, checking that nothing under work changed and nothing
// is left in $TMPDIR but the canary once istio-mab exited.
func (e *hostileEnv) run(t *testing.T, from string) importResult {
	t.Helper()
	before := snapshot(t, e.work)
	e.proxy.ResetLog()
	res := e2etest.RunIstioMabEnv(t, []string{"TMPDIR=" + e.tmp},
		"import", "--from", from, "--hub", e.hub, "--insecure-registry", e.proxy.Host())
	if diff := changed(before, snapshot(t, e.work)); len(diff) > 0 {
		t.Errorf("import changed files outside its temporary directory:\n%s", strings.Join(diff, "\n"))
	}
	if got := namesIn(t, e.tmp); !slices.Equal(got, []string{"canary"}) {
		t.Errorf("$TMPDIR holds %v after istio-mab exited, want the canary alone", got)
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(res.Stderr), "\n") {
		if !strings.HasPrefix(l, "warning: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 && res.Code != 0 {
		t.Errorf("stderr holds %d lines, want one:\n%s", len(lines), res.Stderr)
	}
	return importResult{Result: res, Line: lines[len(lines)-1]}
}

func namesIn(t *testing.T, dir string) []string {
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

// hostileCase makes a bundle under work from a good layout at good (a
// fresh one per case, its contents c) and says what its refusal names.
type hostileCase struct {
	name   string
	layers func(t *testing.T) []v1.Layer // on top of the good layout's amd64 image
	make   func(t *testing.T, e *hostileEnv, good string, c carry.Contents) (from string)
	code   int
	want   string
}

// TestImportRefusesHostileBundles: each bundle below, imported with the
// istio-mab command, exits with its code and one line naming the entry
// and what to do; the registry gets no request; no file outside import's
// temporary directory changes (the canary where "../canary" lands among
// them) and that directory is gone once istio-mab exited. The good bundle
// they are made from imports through the same proxy.
func TestImportRefusesHostileBundles(t *testing.T) {
	e := newHostileEnv(t)
	t.Run("the good bundle imports", func(t *testing.T) {
		good := filepath.Join(e.work, "good")
		c := craftBundle(t, good)
		pack := filepath.Join(e.work, "good.tar")
		if err := carry.Pack(good, pack); err != nil {
			t.Fatal(err)
		}
		res := e.run(t, pack)
		if res.Code != 0 || !strings.Contains(res.Stdout, c.Lists[0].Digest.String()) {
			t.Fatalf("exit %d:\n%s%s", res.Code, res.Stdout, res.Stderr)
		}
		if n := len(e.proxy.Requests()); n == 0 {
			t.Error("the registry got no request from a successful import: the proxy is not in the way")
		}
	})
	for _, tc := range append(tarCases(), append(layoutCases(), dirCases()...)...) {
		t.Run(tc.name, func(t *testing.T) {
			var extra []v1.Layer
			if tc.layers != nil {
				extra = tc.layers(t)
			}
			good := filepath.Join(t.TempDir(), "layout")
			c := craftBundle(t, good, extra...)
			from := tc.make(t, e, good, c)
			res := e.run(t, from)
			t.Logf("exit %d: %s", res.Code, res.Line)
			if res.Code != tc.code || !strings.Contains(res.Line, tc.want) || !strings.Contains(res.Line, "carry the bundle again") {
				t.Errorf("exit %d: %s\nwant exit %d saying %q and what to do", res.Code, res.Line, tc.code, tc.want)
			}
			if n := len(e.proxy.Requests()); n != 0 {
				t.Errorf("the registry got %d requests, want none: %+v", n, e.proxy.Requests()[0])
			}
		})
	}
}

// tarCases are tarballs whose entries are refused as their headers are read.
func tarCases() []hostileCase {
	tarWith := func(entries ...entry) func(*testing.T, *hostileEnv, string, carry.Contents) string {
		return func(t *testing.T, e *hostileEnv, good string, _ carry.Contents) string {
			file := filepath.Join(t.TempDir(), "istio.tar")
			withEntries(t, good, file, entries...)
			return file
		}
	}
	reg := func(name string) entry {
		return entry{Header: tar.Header{Name: name, Typeflag: tar.TypeReg}, Body: "written by a hostile bundle\n"}
	}
	return []hostileCase{
		{name: "a path leaving the bundle", make: tarWith(reg("../canary")),
			code: 2, want: `entry "../canary" leaves the bundle`},
		{name: "an absolute path", make: func(t *testing.T, e *hostileEnv, good string, c carry.Contents) string {
			return tarWith(reg(filepath.Join(e.work, "abs-canary")))(t, e, good, c)
		}, code: 2, want: `abs-canary" is an absolute path`},
		{name: "a symlink leaving the bundle, then a file through it", make: tarWith(
			entry{Header: tar.Header{Name: "blobs/sha256/esc", Typeflag: tar.TypeSymlink, Linkname: "../../.."}},
			reg("blobs/sha256/esc/canary")),
			code: 2, want: `entry "blobs/sha256/esc" is a symbolic link to "../../.."`},
		{name: "a hard link leaving the bundle, then a file through it", make: tarWith(
			entry{Header: tar.Header{Name: "hl", Typeflag: tar.TypeLink, Linkname: "../canary"}}, reg("hl")),
			code: 2, want: `entry "hl" is a hard link to "../canary"`},
		{name: "a device file", make: tarWith(entry{Header: tar.Header{Name: "blobs/sha256/null", Typeflag: tar.TypeChar, Devmajor: 1, Devminor: 3}}),
			code: 2, want: `entry "blobs/sha256/null" is a device file (1, 3)`},
		{name: "a FIFO", make: tarWith(entry{Header: tar.Header{Name: "blobs/sha256/pipe", Typeflag: tar.TypeFifo}}),
			code: 2, want: `entry "blobs/sha256/pipe" is a FIFO`},
		{name: "a sparse file expanding to 4 GiB", make: func(t *testing.T, _ *hostileEnv, good string, _ carry.Contents) string {
			file := filepath.Join(t.TempDir(), "istio.tar")
			withRaw(t, good, file, sparseEntry(t, "blobs/sha256/big", 1<<32))
			return file
		}, code: 2, want: `entry "blobs/sha256/big" is a sparse file of 4294967296 bytes: a tar that expands past its own size`},
		{name: "an entry declaring more than the tar holds", make: func(t *testing.T, _ *hostileEnv, good string, _ carry.Contents) string {
			file := filepath.Join(t.TempDir(), "istio.tar")
			withRaw(t, good, file, oversizedEntry(t, "blobs/sha256/huge", 1<<40))
			return file
		}, code: 2, want: `entry "blobs/sha256/huge" declares 1099511627776 bytes, more than the`},
	}
}

// layoutCases are tarballs of well-formed entries whose layout is not what
// it claims.
func layoutCases() []hostileCase {
	packed := func(alter func(t *testing.T, good string, c carry.Contents)) func(*testing.T, *hostileEnv, string, carry.Contents) string {
		return func(t *testing.T, _ *hostileEnv, good string, c carry.Contents) string {
			alter(t, good, c)
			forge(t, good)
			file := filepath.Join(t.TempDir(), "istio.tar")
			if err := carry.Pack(good, file); err != nil {
				t.Fatal(err)
			}
			return file
		}
	}
	return []hostileCase{
		{name: "a blob whose bytes do not match its digest", make: packed(func(t *testing.T, good string, c carry.Contents) {
			path := blobFile(good, platformLayer(t, good, c.Lists[0], "arm64"))
			b, _ := os.ReadFile(path)
			b[len(b)/2] ^= 1
			writeTestFile(t, path, string(b))
		}), code: 5, want: "(index.json pilot:1.22.0 → linux/arm64 → layer 0) holds bytes of sha256:"},
		{name: "the list pointing at a missing blob", make: packed(func(t *testing.T, good string, c carry.Contents) {
			os.Remove(blobFile(good, c.Lists[0].Platforms[1].Digest))
		}), code: 5, want: "(index.json pilot:1.22.0 → linux/arm64) is missing from the layout"},
		{name: "a gzip layer expanding past its bound", make: packed(func(*testing.T, string, carry.Contents) {}),
			layers: func(t *testing.T) []v1.Layer { return []v1.Layer{bombLayer(t, carry.ExpansionFloor+1<<20)} },
			code:   5, want: "(index.json pilot:1.22.0 → linux/amd64 → layer 1) expands past 67108864 bytes"},
		{name: "a contents file listing a list the layout does not hold", make: packed(func(t *testing.T, good string, c carry.Contents) {
			other := c.Lists[0]
			other.Name, other.Digest = "proxyv2", v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("ab", 32)}
			rewriteContents(t, good, append(c.Lists, other), c)
		}), code: 5, want: "istio-mab.json lists proxyv2:1.22.0 as sha256:abab"},
		{name: "a contents file listing a file the layout does not hold", make: packed(func(t *testing.T, good string, c carry.Contents) {
			os.Remove(filepath.Join(good, c.Files[0].Path))
		}), code: 5, want: "istio-mab.json lists files/istioctl-1.22.0-linux-amd64.tar.gz, which the layout does not hold"},
	}
}

// dirCases are layout directories given as they are, holding what a
// layout never does; nothing they point at is read.
func dirCases() []hostileCase {
	inDir := func(make func(t *testing.T, e *hostileEnv, path string) error) func(*testing.T, *hostileEnv, string, carry.Contents) string {
		return func(t *testing.T, e *hostileEnv, good string, _ carry.Contents) string {
			dir := filepath.Join(e.work, "layout-"+e2etest.RandomSuffix(t))
			if err := os.Rename(good, dir); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			if err := make(t, e, filepath.Join(dir, "blobs", "sha256", "entry")); errors.Is(err, syscall.EPERM) {
				t.Skipf("needs privileges this test lacks: %v", err)
			} else if err != nil {
				t.Fatal(err)
			}
			return dir
		}
	}
	return []hostileCase{
		{name: "a layout directory with a symlink leaving it", make: inDir(func(_ *testing.T, e *hostileEnv, p string) error {
			return os.Symlink(filepath.Join(e.work, "abs-canary"), p)
		}), code: 2, want: `entry "blobs/sha256/entry" is a symbolic link to "`},
		{name: "a layout directory with a hard link to a file outside", make: inDir(func(_ *testing.T, e *hostileEnv, p string) error {
			return os.Link(filepath.Join(e.work, "abs-canary"), p)
		}), code: 2, want: `entry "blobs/sha256/entry" is a hard link (2 names)`},
		{name: "a layout directory with a FIFO", make: inDir(func(_ *testing.T, _ *hostileEnv, p string) error {
			return syscall.Mkfifo(p, 0o644)
		}), code: 2, want: `entry "blobs/sha256/entry" is a FIFO`},
		{name: "a layout directory with a device file", make: inDir(func(_ *testing.T, _ *hostileEnv, p string) error {
			return syscall.Mknod(p, syscall.S_IFCHR|0o644, 1<<8|3)
		}), code: 2, want: `entry "blobs/sha256/entry" is a device file`},
		{name: "a layout directory whose contents file names a file outside", make: inDir(func(t *testing.T, _ *hostileEnv, p string) error {
			dir := filepath.Dir(filepath.Dir(filepath.Dir(p)))
			c, err := carry.ReadContents(dir)
			if err != nil {
				return err
			}
			c.Files = append(c.Files, carry.File{Path: "../tmp/canary", SHA256: strings.Repeat("0", 64), Size: 1})
			rewriteContents(t, dir, c.Lists, c)
			return nil
		}), code: 2, want: `istio-mab.json lists the file "../tmp/canary", which leaves the bundle`},
	}
}

// rewriteContents replaces the contents file of dir with c holding lists,
// as another hand would: nothing checked against the layout.
func rewriteContents(t *testing.T, dir string, lists []carry.List, c carry.Contents) {
	t.Helper()
	c.Lists = lists
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(dir, carry.ContentsFile), string(b))
	forge(t, dir)
}

// forge stamps the checksum of the bundle at dir again after a test
// altered it, as a hand that computes it again would, so that the checks
// behind the checksum are reached (checksum_test.go tests the checksum).
func forge(t *testing.T, dir string) {
	t.Helper()
	path := filepath.Join(dir, carry.ContentsFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	raw = regexp.MustCompile(`"checksum"\s*:\s*"[^"]*"`).ReplaceAll(raw, []byte(`"checksum":"`+strings.Repeat("0", 64)+`"`))
	writeTestFile(t, path, string(raw))
	if err := carry.Stamp(dir); err != nil {
		t.Fatal(err)
	}
}

// TestImportRefusesHostileBuiltBundle: the fixture built into a layout
// (nothing pushed), then made hostile twice as the crafted bundles are: a
// real layer of pilot's arm64 image damaged, and a "../canary" entry
// appended to its tarball. Each is refused as the crafted ones are. Then
// one byte flipped at a time across the built bundle, in every kind of
// file it holds, is refused by the bundle's checksum (checkFlips).
func TestImportRefusesHostileBuiltBundle(t *testing.T) {
	s := e2etest.LoadStack(t)
	built, c := buildLayout(t, s)
	e := newHostileEnv(t)
	pilot := listNamed(t, c, "pilot")
	for _, tc := range []hostileCase{
		{name: "a damaged layer", code: 5, want: "linux/arm64 → layer 0) holds bytes of sha256:", // pilot or proxyv2: they share it
			make: func(t *testing.T, _ *hostileEnv, good string, _ carry.Contents) string {
				path := blobFile(good, platformLayer(t, good, pilot, "arm64"))
				b, _ := os.ReadFile(path)
				b[len(b)/2] ^= 1
				writeTestFile(t, path, string(b))
				forge(t, good)
				file := filepath.Join(t.TempDir(), "istio.tar")
				if err := carry.Pack(good, file); err != nil {
					t.Fatal(err)
				}
				return file
			}},
		{name: "a path leaving the bundle", code: 2, want: `entry "../canary" leaves the bundle`,
			make: func(t *testing.T, _ *hostileEnv, good string, _ carry.Contents) string {
				file := filepath.Join(t.TempDir(), "istio.tar")
				withEntries(t, good, file, entry{Header: tar.Header{Name: "../canary", Typeflag: tar.TypeReg}, Body: "written by a hostile bundle\n"})
				return file
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			good := filepath.Join(t.TempDir(), "layout")
			if err := os.CopyFS(good, os.DirFS(built)); err != nil {
				t.Fatal(err)
			}
			res := e.run(t, tc.make(t, e, good, c))
			t.Logf("exit %d: %s", res.Code, res.Line)
			if res.Code != tc.code || !strings.Contains(res.Line, tc.want) || !strings.Contains(res.Line, "carry the bundle again") {
				t.Errorf("exit %d: %s\nwant exit %d saying %q and what to do", res.Code, res.Line, tc.code, tc.want)
			}
			if n := len(e.proxy.Requests()); n != 0 {
				t.Errorf("the registry got %d requests, want none", n)
			}
		})
	}
	t.Run("one flipped byte", func(t *testing.T) { checkFlips(t, e, built, c) })
}

// TestImportUnreachableRegistry: a sound bundle and a registry nothing
// listens for: exit 3 naming the cause, after the bundle was checked.
func TestImportUnreachableRegistry(t *testing.T) {
	dir := t.TempDir()
	craftBundle(t, dir)
	down := "127.0.0.1:1"
	res := e2etest.RunIstioMab(t, "import", "--from", dir, "--hub", down+"/istio", "--insecure-registry", down)
	if res.Code != 3 || !strings.Contains(res.Stderr, "cannot reach 127.0.0.1:1: connection refused") {
		t.Errorf("exit %d, stderr %q: want exit 3 naming the refused connection", res.Code, res.Stderr)
	}
}
