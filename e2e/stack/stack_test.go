package stack

// Tests that each part of the local stack (scripts/stack-up.sh) really works:
// the rest of the e2e suite builds on these, so a broken stack shows up here
// with a precise message rather than as a failed build.

import (
	"bytes"
	"compress/gzip"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/mod/sumdb/dirhash"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/internal/exe"
	"github.com/istio-mab/istio-mab/internal/registry"
)

func TestStackBuildkitWorkersCoverBothPlatforms(t *testing.T) {
	workers, err := e2etest.BuildkitClient(t).ListWorkers(t.Context())
	if err != nil {
		t.Fatalf("listing workers: %v", err)
	}
	have := map[string]bool{}
	for _, w := range workers {
		for _, p := range w.Platforms {
			have[p.OS+"/"+p.Architecture] = true
		}
	}
	for _, want := range []string{"linux/amd64", "linux/arm64"} {
		if !have[want] {
			t.Errorf("no BuildKit worker lists %s; workers have %v (is binfmt for arm64 registered? see scripts/binfmt.sh)", want, keys(have))
		}
	}
}

// An arm64 RUN step really executes arm64 code (through binfmt/QEMU), on a
// base image pulled from the plain-HTTP registry.
func TestStackBuildkitRunsArm64(t *testing.T) {
	st := e2etest.LoadStack(t)
	arm64 := ocispecs.Platform{OS: "linux", Architecture: "arm64"}
	ref := st.BaseRegistry + "/base:" + e2etest.FixtureReleases(t)[0].BaseVersion
	// LLB does not apply the image's PATH: name the shell absolutely.
	// IgnoreCache: a cached result would prove nothing about this daemon.
	run := llb.Image(ref, llb.Platform(arm64)).
		Run(llb.Args([]string{"/bin/sh", "-c", "uname -m > /out/arch"}), llb.IgnoreCache)
	out := run.AddMount("/out", llb.Scratch())
	def, err := out.Marshal(t.Context(), llb.Platform(arm64))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dir}}}
	if _, err := e2etest.BuildkitClient(t).Solve(t.Context(), def, opt, nil); err != nil {
		t.Fatalf("solving an arm64 RUN on %s: %v", ref, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "arch"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.TrimSpace(string(b)); got != "aarch64" {
		t.Fatalf("uname -m in an arm64 RUN printed %q, want aarch64", got)
	}
}

func TestStackPlainRegistryPushPull(t *testing.T) {
	st := e2etest.LoadStack(t)
	a := e2etest.NewAccess(t, registry.WithInsecure(st.Registry))
	pushPull(t, a, testTag(t, a, st.Registry), e2etest.RandomImage(t, "amd64"))
}

// Plain HTTP is an explicit per-host choice, loopback included.
func TestStackPlainRegistryRefusedWithoutInsecure(t *testing.T) {
	st := e2etest.LoadStack(t)
	strict := e2etest.NewAccess(t)
	ref := testTag(t, strict, st.Registry)
	err := remote.Write(ref, e2etest.RandomImage(t, "amd64"), strict.Remote(t.Context())...)
	if err == nil {
		t.Fatalf("push to plain-HTTP %s without WithInsecure succeeded", st.Registry)
	}
	var plain *registry.PlainHTTPError
	if !errors.As(err, &plain) {
		t.Errorf("push error is not a PlainHTTPError: %v", err)
	}
	// Nothing may have reached the registry.
	loose := e2etest.NewAccess(t, registry.WithInsecure(st.Registry))
	looseRef, err := loose.Repository(ref.Context().String())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := remote.Head(looseRef.Tag("t"), loose.Remote(t.Context())...); err == nil {
		t.Errorf("refused push still created %s", ref)
	}
}

func TestStackSecureRegistryPushPull(t *testing.T) {
	st := e2etest.LoadStack(t)
	e2etest.DockerConfig(t, st.SecureRegistry, st.SecureUser, e2etest.SecurePassword(t))
	a := e2etest.NewAccess(t, registry.WithRootCAs(st.SecureCA))
	pushPull(t, a, testTag(t, a, st.SecureRegistry), e2etest.RandomImage(t, "arm64"))
}

// Refused credentials fail at once, with one clear line, and never echo the
// password.
func TestStackSecureRegistryWrongPasswordFailsFast(t *testing.T) {
	st := e2etest.LoadStack(t)
	wrong := "wrong-" + e2etest.RandomSuffix(t)
	e2etest.DockerConfig(t, st.SecureRegistry, st.SecureUser, wrong)
	requests, restore := countRequests(t)
	a := e2etest.NewAccess(t, registry.WithRootCAs(st.SecureCA))
	restore()
	ref := testTag(t, a, st.SecureRegistry)

	start := time.Now()
	err := remote.Write(ref, e2etest.RandomImage(t, "amd64"), a.Remote(t.Context())...)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("push to %s with a wrong password succeeded", st.SecureRegistry)
	}
	err = registry.Explain("push", ref, err)
	if took > 2*time.Second {
		t.Errorf("refused push took %v, want < 2s (retrying a 401?)", took)
	}
	var auth *registry.AuthError
	if !errors.As(err, &auth) || auth.Status != http.StatusUnauthorized {
		t.Errorf("error is not a 401 AuthError: %v", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, "401") || !strings.Contains(msg, "authentication") {
		t.Errorf("error does not mention 401 and authentication: %s", msg)
	}
	if strings.Contains(msg, wrong) {
		t.Errorf("error leaks the password: %s", msg)
	}
	if n := requests.Load(); n == 0 || n > 6 {
		t.Errorf("refused push made %d HTTP requests, want 1..6 (no retry storm)", n)
	}
	t.Logf("refused in %v after %d requests: %s", took, requests.Load(), msg)
}

func TestStackSecureRegistryNeedsCA(t *testing.T) {
	st := e2etest.LoadStack(t)
	e2etest.DockerConfig(t, st.SecureRegistry, st.SecureUser, e2etest.SecurePassword(t))
	a := e2etest.NewAccess(t) // system roots only
	ref := testTag(t, a, st.SecureRegistry)
	err := remote.Write(ref, e2etest.RandomImage(t, "amd64"), a.Remote(t.Context())...)
	if err == nil {
		t.Fatalf("push to %s trusted its private CA without WithRootCAs", st.SecureRegistry)
	}
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) && !strings.Contains(err.Error(), "certificate") {
		t.Errorf("push without the CA failed, but not on TLS verification: %v", err)
	}
	t.Logf("without the CA: %v", err)
}

func TestStackGitDaemonServesFixtureTags(t *testing.T) {
	st := e2etest.LoadStack(t)
	out := e2etest.GitOutput(t, "", "ls-remote", "--tags", st.GitURL)
	for _, tag := range fixture.Tags {
		if !strings.Contains(out, "refs/tags/"+tag+"\n") && !strings.Contains(out, "refs/tags/"+tag+"^{}") {
			t.Errorf("git ls-remote --tags %s does not list %s:\n%s", st.GitURL, tag, out)
		}
	}
}

func TestStackGitDaemonClonesFixtureTree(t *testing.T) {
	st := e2etest.LoadStack(t)
	tag := "1.22.0"
	dir := filepath.Join(t.TempDir(), "istio")
	e2etest.GitOutput(t, "", "clone", "--quiet", "--depth", "1", "--branch", tag, st.GitURL, dir)
	got, err := fixture.ReadRelease(dir, tag)
	if err != nil {
		t.Fatalf("reading the cloned %s tree: %v", tag, err)
	}
	if want := e2etest.FixtureRelease(t, tag); got.ProxySHA != want.ProxySHA {
		t.Fatalf("cloned %s has PROXY_REPO_SHA %s, fixture says %s", tag, got.ProxySHA, want.ProxySHA)
	}
}

func TestStackFileServerServesEnvoy(t *testing.T) {
	st := e2etest.LoadStack(t)
	for _, r := range e2etest.FixtureReleases(t) {
		for _, arch := range fixture.Arches {
			name := fixture.EnvoyTarball(r.ProxySHA, arch)
			t.Run(r.Tag+"/"+name, func(t *testing.T) {
				status, body := e2etest.HTTPGet(t, st.EnvoyBaseURL+"/"+name)
				if status != http.StatusOK {
					t.Fatalf("GET %s: status %d", name, status)
				}
				checkEnvoyTarball(t, body, arch)
			})
		}
	}
}

// checkEnvoyTarball asserts the tarball holds usr/local/bin/envoy built for arch.
func checkEnvoyTarball(t *testing.T, tgz []byte, arch string) {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(tgz))
	if err != nil {
		t.Fatalf("not gzip: %v", err)
	}
	tr, found, err := tarFind(zr, "usr/local/bin/envoy")
	if err != nil || !found {
		t.Fatalf("no usr/local/bin/envoy in the tarball (err %v)", err)
	}
	bin, err := io.ReadAll(tr)
	if err != nil {
		t.Fatal(err)
	}
	if err := exe.Check(bytes.NewReader(bin), ocispecs.Platform{OS: "linux", Architecture: arch}); err != nil {
		t.Fatalf("envoy: %v", err)
	}
}

func TestStackFileServerServesWasm(t *testing.T) {
	st := e2etest.LoadStack(t)
	for _, r := range e2etest.FixtureReleases(t) {
		for _, name := range fixture.WasmFiles(r.ProxySHA) {
			status, body := e2etest.HTTPGet(t, st.EnvoyBaseURL+"/"+name)
			if status != http.StatusOK {
				t.Errorf("GET %s: status %d", name, status)
				continue
			}
			if !bytes.HasPrefix(body, []byte("\x00asm")) {
				t.Errorf("%s does not start with the wasm magic: % x", name, body[:min(len(body), 8)])
			}
		}
	}
}

func TestStackFileServerMissingIs404(t *testing.T) {
	name := fixture.EnvoyTarball(strings.Repeat("0", 40), "amd64")
	if status, _ := e2etest.HTTPGet(t, e2etest.LoadStack(t).EnvoyBaseURL+"/"+name); status != http.StatusNotFound {
		t.Fatalf("GET missing %s: status %d, want 404", name, status)
	}
}

// The file server is also the stack's Go module proxy: the module the
// GoProxyTag fixture imports is there in GOPROXY layout, and its files hash
// to the lines of that tag's go.sum.
func TestStackFileServerServesGoProxy(t *testing.T) {
	st := e2etest.LoadStack(t)
	base := st.ModuleProxy + "/" + fixture.GoProxyModule + "/@v/"
	get := func(name string) []byte {
		t.Helper()
		status, body := e2etest.HTTPGet(t, base+name)
		if status != http.StatusOK {
			t.Fatalf("GET %s: status %d", base+name, status)
		}
		return body
	}
	if list := get("list"); !strings.Contains(string(list), fixture.GoProxyModVer+"\n") {
		t.Errorf("list = %q, want %s", list, fixture.GoProxyModVer)
	}
	get(fixture.GoProxyModVer + ".info")
	zipFile := filepath.Join(t.TempDir(), "m.zip")
	if err := os.WriteFile(zipFile, get(fixture.GoProxyModVer+".zip"), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, err := dirhash.HashZip(zipFile, dirhash.Hash1)
	if err != nil {
		t.Fatalf("the served zip is not a module zip: %v", err)
	}
	modSum, err := fixture.GoModSum(get(fixture.GoProxyModVer + ".mod"))
	if err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(e2etest.RepoRoot(t), "e2e", "testdata", "fixture", fixture.GoProxyTag, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	mv := fixture.GoProxyModule + " " + fixture.GoProxyModVer
	for _, line := range []string{mv + " " + sum, mv + "/go.mod " + modSum} {
		if !strings.Contains(string(goSum), line+"\n") {
			t.Errorf("%s go.sum lacks %q: the served module is not the one it verifies", fixture.GoProxyTag, line)
		}
	}
}

func TestStackSeededBaseImagesAreMultiArch(t *testing.T) {
	st := e2etest.LoadStack(t)
	a := e2etest.NewAccess(t, registry.WithInsecure(st.Registry))
	for _, r := range e2etest.FixtureReleases(t) {
		for _, img := range fixture.BaseImages {
			ref := fmt.Sprintf("%s/%s:%s", st.BaseRegistry, img, r.BaseVersion)
			t.Run(img+":"+r.BaseVersion, func(t *testing.T) { checkBaseIndex(t, a, ref) })
		}
	}
}

// checkBaseIndex asserts ref is an index of exactly linux/amd64 and
// linux/arm64, each descriptor's platform agreeing with its image's config.
func checkBaseIndex(t *testing.T, a *registry.Access, ref string) {
	tag, err := name.NewTag(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(tag, a.Remote(t.Context())...)
	if err != nil {
		t.Fatalf("pulling index %s: %v", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var platforms []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			t.Fatalf("%s: descriptor %s has no platform", ref, d.Digest)
		}
		platforms = append(platforms, d.Platform.String())
		checkChildPlatform(t, idx, d)
	}
	slices.Sort(platforms)
	if want := []string{"linux/amd64", "linux/arm64"}; !slices.Equal(platforms, want) {
		t.Errorf("%s platforms %v, want %v", ref, platforms, want)
	}
}

func checkChildPlatform(t *testing.T, idx v1.ImageIndex, d v1.Descriptor) {
	t.Helper()
	img, err := idx.Image(d.Digest)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != d.Platform.OS || cf.Architecture != d.Platform.Architecture {
		t.Errorf("child %s: config says %s/%s, descriptor %s", d.Digest, cf.OS, cf.Architecture, d.Platform)
	}
}

func TestStackGoImage(t *testing.T) {
	st := e2etest.LoadStack(t)
	a := e2etest.NewAccess(t, registry.WithInsecure(st.Registry))
	tag, err := name.NewTag(st.GoImage, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(tag, a.Remote(t.Context())...)
	if err != nil {
		t.Fatalf("pulling %s: %v", st.GoImage, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("%s is %s/%s, want linux/amd64", st.GoImage, cf.OS, cf.Architecture)
	}
	if !imageHasFile(t, img, "usr/local/go/bin/go") {
		t.Errorf("%s has no usr/local/go/bin/go", st.GoImage)
	}
}

// imageHasFile looks for path in any layer, stopping at the first hit.
func imageHasFile(t *testing.T, img v1.Image, path string) bool {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		_, found, err := tarFind(rc, path)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if found {
			return true
		}
	}
	return false
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
