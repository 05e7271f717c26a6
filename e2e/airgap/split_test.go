package airgap

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// splitSize gives the export of the fixture's pilot and proxyv2 (about
// 6.6 MB) 4 parts.
const splitSize = "2M"

// splitExport exports the release imported at hub as a tarball split with
// --split, checks the parts, imports them (--from the first part) into
// another hub of the stack's registry with the digests c records, as the
// parts joined with cat do into a third; a part missing fails with exit 2
// before any request. It returns the tarball's name, in dir.
func splitExport(t *testing.T, s e2etest.Stack, hub string, c carry.Contents, dir string) string {
	bundle := filepath.Join(dir, "istio.tar")
	start := time.Now()
	e2etest.MustBuild(t, []string{"export", "--version", "1.22.0", "--hub", hub, "--to", "tar:" + bundle, "--split", splitSize, "--registry-ca", s.SecureCA})
	t.Logf("export --split %s: %s", splitSize, time.Since(start).Round(time.Millisecond))
	checkParts(t, bundle)

	access := e2etest.NewAccess(t, registry.WithInsecure(s.Registry))
	split := e2etest.UniqueHub(s)
	start = time.Now()
	mustImport(t, "--from", bundle+".part-001", "--hub", split, "--insecure-registry", s.Registry)
	t.Logf("import of the split bundle: %s", time.Since(start).Round(time.Millisecond))
	checkListsMatch(t, access, split, c)

	whole := filepath.Join(t.TempDir(), "istio.tar")
	joinParts(t, bundle, whole)
	unsplit := e2etest.UniqueHub(s)
	mustImport(t, "--from", whole, "--hub", unsplit, "--insecure-registry", s.Registry)
	checkListsMatch(t, access, unsplit, c)

	gap := filepath.Join(t.TempDir(), "gap.tar")
	for _, n := range []string{"001", "003", "004"} {
		joinParts(t, bundle+".part-"+n, gap+".part-"+n)
	}
	// Nothing listens on port 1: reaching the registry would exit 3.
	res := e2etest.RunIstioMab(t, "import", "--from", gap, "--hub", "127.0.0.1:1/x/istio", "--insecure-registry", "127.0.0.1:1")
	if res.Code != 2 || !strings.Contains(res.Stderr, "gap.tar.part-002 is missing") {
		t.Errorf("import with part-002 gone: exit %d, want 2 naming it before any request:\n%s", res.Code, res.Stderr)
	}
	return bundle
}

// checkParts: FILE.part-001 and on, at least 3, each at most the split
// size, and nothing else beside them.
func checkParts(t *testing.T, bundle string) {
	t.Helper()
	parts, _ := filepath.Glob(bundle + "*")
	var sizes []int64
	for _, p := range parts {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, st.Size())
	}
	t.Logf("parts: %d, bytes %v", len(parts), sizes)
	if len(parts) < 3 || parts[0] != bundle+".part-001" || slices.Max(sizes) > 2<<20 {
		t.Fatalf("wrote %v of %v bytes: want at least 3 parts istio.tar.part-NNN of at most 2 MiB, and nothing else", parts, sizes)
	}
}

// joinParts writes the parts of bundle (or one file) joined into whole.
func joinParts(t *testing.T, bundle, whole string) {
	t.Helper()
	parts, _ := filepath.Glob(bundle + "*")
	var all []byte
	for _, p := range parts {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if err := os.WriteFile(whole, all, 0o644); err != nil {
		t.Fatal(err)
	}
}

func mustImport(t *testing.T, args ...string) e2etest.Result {
	t.Helper()
	res := e2etest.RunIstioMab(t, append([]string{"import"}, args...)...)
	if res.Code != 0 {
		t.Fatalf("import %v exited %d:\n%s", args, res.Code, e2etest.Tail(res.Stderr, 30))
	}
	return res
}

// splitBuildGate runs TestBuildSplitImports, which builds the fixture once
// more (about 25 s on 2 cores with a warm cache): export --split, in the
// default run, covers the same parts and import.
const splitBuildGate = "AIRGAP_SPLIT_BUILD"

// TestBuildSplitImports: build --output tar:FILE --split writes parts of at
// most the size, which import --from FILE pushes with the digests the
// contents file records.
func TestBuildSplitImports(t *testing.T) {
	if os.Getenv(splitBuildGate) == "" {
		t.Skipf("set %s=1 to build a split bundle", splitBuildGate)
	}
	s := e2etest.LoadStack(t)
	bundle := filepath.Join(t.TempDir(), "istio.tar")
	start := time.Now()
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), ""), "--output", "tar:"+bundle, "--split", splitSize, "--progress", "quiet"))
	t.Logf("build --output tar: --split %s: %s", splitSize, time.Since(start).Round(time.Millisecond))
	checkParts(t, bundle)
	b, err := carry.OpenBundle(t.Context(), bundle)
	if err != nil {
		t.Fatal(err)
	}
	c := e2etest.ReadContents(t, b.Dir)
	b.Close()
	hub := e2etest.UniqueHub(s)
	mustImport(t, "--from", bundle, "--hub", hub, "--insecure-registry", s.Registry)
	checkListsMatch(t, e2etest.NewAccess(t, registry.WithInsecure(s.Registry)), hub, c)
}
