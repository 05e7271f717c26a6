package airgap

import (
	"bytes"
	"maps"
	"os/exec"
	"regexp"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// resumeImport: an import of bundle killed (SIGKILL) once a few blob
// uploads completed, run again, ends with the lists c records, and the
// registry's own log shows no blob uploaded twice and no manifest written
// twice under the same reference. A delay on each blob upload, through a
// proxy, keeps the first run from finishing before the kill.
func resumeImport(t *testing.T, bundle string, c carry.Contents) {
	reg := soak.StartRegistry(t)
	proxy, err := faultproxy.New("http://"+reg.Addr, faultproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	proxy.Add(faultproxy.Rule{Method: "PUT", Path: regexp.MustCompile(`/blobs/uploads/`), Fault: faultproxy.Fault{Delay: 300 * time.Millisecond}})
	hub := proxy.Host() + "/resume/istio"
	args := []string{"--from", bundle, "--hub", hub, "--insecure-registry", proxy.Host()}

	killAfterUploads(t, reg, 12, append([]string{"import"}, args...))
	first := logged(t, reg)
	proxy.Clear()
	start := time.Now()
	mustImport(t, args...)
	t.Logf("the second run: %s", time.Since(start).Round(time.Millisecond))
	all := logged(t, reg)
	second := all[len(first):]

	blobs, manifests := map[string]int{}, map[string]int{}
	for _, l := range all {
		if d := l.BlobUpload(); d != "" {
			blobs[d]++
		}
		if ref := l.ManifestPut(); ref != "" {
			manifests[l.Repository()+"@"+ref]++
		}
	}
	t.Logf("blob uploads completed: run 1 %d, run 2 %d, distinct blobs %d; mounts: run 1 %d, run 2 %d; manifests written: run 1 %d, run 2 %d",
		count(first, soak.Logged.BlobUpload), count(second, soak.Logged.BlobUpload), len(blobs),
		count(first, soak.Logged.BlobMount), count(second, soak.Logged.BlobMount),
		count(first, soak.Logged.ManifestPut), count(second, soak.Logged.ManifestPut))
	for _, d := range slices.Sorted(maps.Keys(blobs)) {
		if blobs[d] > 1 {
			t.Errorf("blob %s uploaded %d times", d, blobs[d])
		}
	}
	for _, ref := range slices.Sorted(maps.Keys(manifests)) {
		if manifests[ref] > 1 {
			t.Errorf("manifest %s written %d times", ref, manifests[ref])
		}
	}
	if count(first, soak.Logged.BlobUpload) == 0 || count(second, soak.Logged.BlobUpload) == 0 {
		t.Errorf("the kill did not fall midway: want uploads in both runs")
	}
	checkListsMatch(t, e2etest.NewAccess(t, registry.WithInsecure(proxy.Host())), hub, c)
}

// killAfterUploads runs istio-mab with args and kills it (SIGKILL) once reg
// logged n completed blob uploads.
func killAfterUploads(t *testing.T, reg *soak.Registry, n int, args []string) {
	cmd := exec.Command(e2etest.IstioMab(t), args...)
	// A killed import cannot remove the directory it unpacked into: the
	// test's own temporary directory holds it, and goes with the test.
	cmd.Env = append(e2etest.IstioMabEnv(), "TMPDIR="+t.TempDir())
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for end := time.Now().Add(2 * time.Minute); count(logged(t, reg), soak.Logged.BlobUpload) < n; time.Sleep(20 * time.Millisecond) {
		select {
		case err := <-done:
			t.Fatalf("import ended (%v) before %d blob uploads completed:\n%s", err, n, stderr.String())
		default:
		}
		if time.Now().After(end) {
			cmd.Process.Kill()
			t.Fatalf("fewer than %d blob uploads in 2 minutes:\n%s", n, stderr.String())
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-done
}

func logged(t *testing.T, reg *soak.Registry) []soak.Logged {
	t.Helper()
	l, err := soak.Requests(reg.Log())
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// count is how many requests f names something for.
func count(ls []soak.Logged, f func(soak.Logged) string) int {
	n := 0
	for _, l := range ls {
		if f(l) != "" {
			n++
		}
	}
	return n
}
