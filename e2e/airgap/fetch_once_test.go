package airgap

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/carry/lock"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// TestLayoutLockFetchesEachDownloadOnce: build --output of 1.14.3 (an Envoy
// per platform and four wasm filters, served under a path of this test's
// own) fetches each file once, as the file server's log shows, and the
// layout's lock records the sha256 of each as served: the lock is written
// from what the run checked, not from a second download.
func TestLayoutLockFetchesEachDownloadOnce(t *testing.T) {
	s := e2etest.LoadStack(t)
	sha := e2etest.ProxySHA(t, "1.14.3")
	prefix := "e2e-" + e2etest.RandomSuffix(t)
	served := filepath.Join(s.Dir, "files", prefix)
	files := append([]string{fixture.EnvoyTarball(sha, "amd64"), fixture.EnvoyTarball(sha, "arm64")}, fixture.WasmFiles(sha)...)
	if err := os.MkdirAll(served, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(served) })
	for _, f := range files {
		if err := fsutil.CopyNew(filepath.Join(s.Dir, "files", f), filepath.Join(served, f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := s.EnvoyBaseURL + "/" + prefix
	dir := filepath.Join(t.TempDir(), "layout")
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.14.3", e2etest.UniqueHub(s), ""), "--envoy-base-url", base,
		"--envoy", "linux/arm64="+base+"/"+fixture.EnvoyTarball(sha, "arm64"), "--output", "oci-layout:"+dir, "--progress", "quiet"))

	gets := fileServerGets(t, s, "/"+prefix+"/")
	l, err := lock.Read(filepath.Join(dir, "istio-mab.lock"))
	if err != nil {
		t.Fatal(err)
	}
	locked := map[string]string{}
	for _, f := range append(l.Envoys, l.Wasm...) {
		locked[filepath.Base(f.Source)] = f.SHA256
	}
	for _, f := range files {
		if n := gets["/"+prefix+"/"+f]; n != 1 {
			t.Errorf("%s was fetched %d times, want once", f, n)
		}
		want, err := fsutil.FileSHA256(filepath.Join(served, f))
		if err != nil {
			t.Fatal(err)
		}
		if locked[f] != want {
			t.Errorf("the lock records %s with sha256 %q, the file server has %s", f, locked[f], want)
		}
	}
}

// fileServerGets counts the GETs of each path under prefix that the stack's
// file server answered with a body (its log: METHOD PATH STATUS BYTES).
func fileServerGets(t *testing.T, s e2etest.Stack, prefix string) map[string]int {
	t.Helper()
	f, err := os.Open(filepath.Join(s.Dir, "files.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 4 && fields[0] == "GET" && strings.HasPrefix(fields[1], prefix) && fields[2] == "200" {
			out[fields[1]]++
		}
	}
	return out
}
