package faults

import (
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultListMediaTypeRefused (case 5): a registry that refuses Docker
// manifest lists fails the run with the media type named; tags unchanged.
func TestFaultListMediaTypeRefused(t *testing.T) {
	for name, f := range map[string]faultproxy.Fault{
		"415": {Status: http.StatusUnsupportedMediaType},
		"400 UNSUPPORTED": {Status: http.StatusBadRequest,
			Body: []byte(`{"errors":[{"code":"UNSUPPORTED","message":"manifest list media type not supported"}]}`)},
	} {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Header: isListPut, Fault: f})
			res, moved := e.run(t)
			requireUnchanged(t, res, moved)
			want := "refused the manifest list's media type application/vnd.oci.image.index.v1+json"
			if line := errorLine(res); !strings.Contains(line, want) {
				t.Errorf("error %q does not contain %q", line, want)
			}
		})
	}
}

// TestFaultReadAfterWriteLag (case 7): a new child's HEAD answers 404 for a
// while after the list PUT; istio-mab asks again, bounded, and succeeds.
// When the lag outlasts the bound (10 s) the run fails with nothing tagged.
func TestFaultReadAfterWriteLag(t *testing.T) {
	childHead := faultproxy.Rule{Method: http.MethodHead, Path: re(manifestPath + "sha256:"),
		Fault: faultproxy.Fault{Status: http.StatusNotFound}}
	t.Run("brief", func(t *testing.T) {
		e := newFaultEnv(t)
		r := childHead
		r.Times = 3
		e.proxy.Add(r)
		res, moved := e.run(t)
		requireMoved(t, res, moved)
		if n := e.proxy.Count(http.MethodHead, manifestPath+"sha256:"); n < 5 {
			t.Errorf("%d child HEADs, want the 3 refused and both children read after", n)
		}
	})
	t.Run("past the deadline", func(t *testing.T) {
		e := newFaultEnv(t)
		e.proxy.Add(childHead)
		start := time.Now()
		res, moved := e.run(t)
		requireUnchanged(t, res, moved)
		if line := errorLine(res); !strings.Contains(line, "still not served 10s after the PUT") {
			t.Errorf("error %q does not say the child stayed unknown", line)
		}
		if d := time.Since(start); d > 60*time.Second {
			t.Errorf("took %s: the wait is not bounded", d)
		}
	})
}

// TestFaultConcurrentRunsSameTag (case 11): two runs push different content
// to the same tags. The proxies order them so that run A moves its tag, then
// B moves it, then A reads it back: A says its tag was overwritten, B
// succeeds, and every tag ends on B's complete list.
func TestFaultConcurrentRunsSameTag(t *testing.T) {
	a := newFaultEnv(t)
	b := &faultEnv{s: a.s, path: a.path, seed: a.seed}
	var err error
	if b.proxy, err = faultproxy.New("http://"+a.s.Registry, faultproxy.Options{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.proxy.Close)
	src := e2etest.FixtureCopy(t, "1.22.0") // B's content differs by a label
	e2etest.InsertBefore(t, filepath.Join(src, "pilot/docker/Dockerfile.pilot"), "USER ", "LABEL e2e.run=b\n")

	aRereads, bDone := make(chan struct{}), make(chan struct{})
	var once sync.Once
	heads := 0
	a.proxy.Add(faultproxy.Rule{Method: http.MethodHead, Path: re(`/manifests/1\.22\.0$`),
		Match: func(*http.Request, []byte) bool {
			heads++ // the first reads the previous tag; the second reads back after the PUT
			if heads == 2 {
				once.Do(func() { close(aRereads) })
			}
			return heads == 2
		},
		Fault: faultproxy.Fault{Hold: bDone}})
	b.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Path: re(`/manifests/1\.22\.0$`), Fault: faultproxy.Fault{Hold: aRereads}})

	var resA, resB e2etest.Result
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); resA = e2etest.RunIstioMab(t, a.args(t)...) }()
	go func() {
		defer wg.Done()
		defer close(bDone)
		resB = e2etest.RunIstioMab(t, b.args(t, "--source", src)...)
	}()
	wg.Wait()
	moved := checkTagInvariant(t, a.s, a.path, a.seed)

	if resB.Code != 0 {
		t.Fatalf("run B exited %d:\n%s", resB.Code, e2etest.Tail(resB.Stderr, 20))
	}
	if resA.Code == 0 || !strings.Contains(errorLine(resA), "was overwritten by another push") {
		t.Fatalf("run A exited %d: %s\nwant it to say its tag was overwritten", resA.Code, errorLine(resA))
	}
	listA, listB := listDigestIn(errorLine(resA)), listDigestIn(resB.Stdout)
	if listA == "" || listB == "" || listA == listB {
		t.Fatalf("run A reports list %q, run B %q: want two different digests", listA, listB)
	}
	now := tagsUnder(t, a.s, a.path)
	if now["pilot:1.22.0"] != listB || len(moved) != 2 {
		t.Errorf("tags %v, moved %v: want both on B's list %s", now, moved, listB)
	}
}

// listDigestIn finds the manifest list digest a run reports: the one after
// "this run's list" in an error, or in the summary's MANIFEST LIST table.
func listDigestIn(s string) string {
	if _, after, ok := strings.Cut(s, "this run's list "); ok {
		return strings.Fields(after)[0]
	}
	_, table, ok := strings.Cut(s, "MANIFEST LIST")
	if !ok {
		return ""
	}
	for _, f := range strings.Fields(table) {
		if strings.HasPrefix(f, "sha256:") {
			return f
		}
	}
	return ""
}
