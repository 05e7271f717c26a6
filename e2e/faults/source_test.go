package faults

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// sourceList pushes an "upstream" pilot list at src (repository path on the
// stack's registry) for arches, with an attestation entry for the first as
// BuildKit pushes provenance, under 1.22.0 and 1.22.0-debug, on host.
func sourceList(t *testing.T, host, src string, arches ...string) {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, arch := range arches {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: e2etest.RandomImage(t, arch),
			Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: e2etest.RandomImage(t, "unknown"), Descriptor: v1.Descriptor{
		Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest",
			"vnd.docker.reference.digest": m.Manifests[0].Digest.String()},
	}})
	for _, tag := range []string{"1.22.0", "1.22.0-debug"} {
		ref, err := name.NewTag(host+"/"+src+"/pilot:"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
}

// mirrorThrough mirrors pilot from src, read through from, to the env's
// hub, written through the env's proxy, and checks the tag invariant there.
func (e *faultEnv) mirrorThrough(t *testing.T, from *faultproxy.Proxy, src string, extra ...string) (e2etest.Result, []string) {
	t.Helper()
	args := append([]string{"mirror", "--version", "1.22.0", "--from", from.Host() + "/" + src, "--hub", e.hub(),
		"--images", "pilot", "--variants", "debug", "--insecure-registry", e.proxy.Host(),
		"--insecure-registry", from.Host()}, extra...)
	res := e2etest.RunIstioMab(t, args...)
	return res, checkTagInvariant(t, e.s, e.path, e.seed)
}

// writes are the requests that reached the proxy and could change a registry.
func writes(p *faultproxy.Proxy) []string {
	var out []string
	for _, r := range p.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// TestFaultSourceMissingPlatform (case 14): a source list of amd64 and an
// attestation manifest (unknown/unknown) lacks arm64; the attestation is
// not taken for it. mirror refuses it naming linux/arm64 before any write,
// with or without --platforms, and verify reports it missing.
func TestFaultSourceMissingPlatform(t *testing.T) {
	e := newFaultEnv(t)
	src := "e2e-src-" + e2etest.RandomSuffix(t) + "/istio"
	sourceList(t, e.s.Registry, src, "amd64")
	for name, extra := range map[string][]string{
		"mirror":             nil,
		"mirror --platforms": {"--platforms", "linux/amd64,linux/arm64"},
	} {
		t.Run(name, func(t *testing.T) {
			e.proxy.ResetLog()
			res, moved := e.mirrorThrough(t, e.proxy, src, extra...)
			requireUnchanged(t, res, moved)
			if line := errorLine(res); !strings.Contains(line, "no image for linux/arm64") {
				t.Errorf("error %q does not name the missing linux/arm64", line)
			}
			if w := writes(e.proxy); len(w) > 0 {
				t.Errorf("refused list, yet writes reached the registry: %v", w)
			}
		})
	}
	t.Run("verify", func(t *testing.T) {
		res := e2etest.RunIstioMab(t, "verify", "--version", "1.22.0", "--hub", e.proxy.Host()+"/"+src, "--images", "pilot",
			"--variants", "debug", "--insecure-registry", e.proxy.Host())
		if res.Code != 5 || !strings.Contains(res.Stdout, "linux/arm64") {
			t.Errorf("exit %d, stdout:\n%s\nwant exit 5 naming linux/arm64", res.Code, res.Stdout)
		}
		if strings.Contains(res.Stdout+res.Stderr, "unknown/unknown") {
			t.Errorf("the attestation was taken for a platform:\n%s%s", res.Stdout, res.Stderr)
		}
	})
}

// TestFaultSourceCorrupt (case 6): a source that serves a platform
// manifest, or a blob, with one bit flipped fails the mirror with a digest
// mismatch; no list or tag is written at the destination. The source is
// an in-memory registry behind a second proxy: with the stack's registry
// for both, it would mount the blobs rather than have them read.
func TestFaultSourceCorrupt(t *testing.T) {
	for name, path := range map[string]string{
		"manifest": `/manifests/sha256:`,
		"blob":     `/blobs/sha256:`,
	} {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			src := "e2e-src-" + e2etest.RandomSuffix(t) + "/istio"
			up := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
			t.Cleanup(up.Close)
			sourceList(t, strings.TrimPrefix(up.URL, "http://"), src, "amd64", "arm64")
			from, err := faultproxy.New(up.URL, faultproxy.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(from.Close)
			from.Add(faultproxy.Rule{Method: http.MethodGet, Path: re(path), Fault: faultproxy.Fault{Corrupt: true}})
			res, moved := e.mirrorThrough(t, from, src)
			requireUnchanged(t, res, moved)
			line := errorLine(res)
			t.Logf("exit %d: %s", res.Code, line)
			if !strings.Contains(line, "does not match requested digest") && !strings.Contains(line, "error verifying sha256 checksum") {
				t.Errorf("error %q does not report a digest mismatch", line)
			}
			if faulted(from) == 0 {
				t.Fatal("no corrupted answer was served")
			}
			for _, w := range writes(e.proxy) {
				if strings.Contains(w, "/manifests/") && !strings.Contains(w, "/manifests/sha256:") {
					t.Errorf("a tag was written: %s", w)
				}
			}
			if listWritten(t, e, strings.TrimPrefix(up.URL, "http://"), src) {
				t.Error("the list was written at the destination")
			}
		})
	}
}

// listWritten says whether the source's list exists at the destination by digest.
func listWritten(t *testing.T, e *faultEnv, host, src string) bool {
	t.Helper()
	d, err := remote.Head(e2etest.MustRef(t, host+"/"+src+"/pilot:1.22.0"), remote.WithContext(t.Context()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = remote.Head(e2etest.MustRef(t, e.s.Registry+"/"+e.path+"/pilot@"+d.Digest.String()), remote.WithContext(t.Context()))
	return err == nil
}
