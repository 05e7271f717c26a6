package airgap

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// deltaGo is the Go the release is rebuilt with: another toolchain than
// the stack's image holds, so every binary really changes.
const deltaGo = "1.26.7"

// TestDeltaOfARebuild (E2E_DELTA=1; about 2 minutes on 2 cores, most of it
// the rebuild's compiles and the Go image): the fixture built with the
// stack's Go and exported in full (bundle 1), rebuilt with another Go
// (golang.org/toolchain from the module proxy, seeded as a builder image)
// and exported twice: in full, and --since bundle 1 (the delta), which is
// smaller. Bundle 1 then the delta imported into one registry give every
// list digest the full rebuild gives imported into another; the delta
// alone is refused before any write, naming the base to import first.
func TestDeltaOfARebuild(t *testing.T) {
	if os.Getenv("E2E_DELTA") != "1" {
		t.Skip("set E2E_DELTA=1: rebuilds the fixture with another Go toolchain (about 2 minutes)")
	}
	s := e2etest.LoadStack(t)
	work := t.TempDir()
	bundle1 := filepath.Join(work, "bundle1")
	hub1 := e2etest.UniqueHub(s)
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", hub1, t.TempDir()), "--progress", "quiet"))
	export(t, s, hub1, "oci-layout:"+bundle1)
	base := e2etest.ReadContents(t, bundle1)

	start := time.Now()
	hub2 := e2etest.UniqueHub(s)
	args := e2etest.StackArgs(s, "1.22.0", hub2, "")
	for i, a := range args {
		if a == s.GoImage {
			args[i] = goImage(t, s, deltaGo)
		}
	}
	e2etest.MustBuild(t, append(args, "--progress", "quiet", "--dist", t.TempDir()))
	t.Logf("the rebuild with Go %s took %s", deltaGo, time.Since(start).Round(time.Second))
	full, delta := filepath.Join(work, "full2.tar"), filepath.Join(work, "delta.tar")
	export(t, s, hub2, "tar:"+full)
	export(t, s, hub2, "tar:"+delta, "--since", bundle1)
	fullSize, deltaSize := fileSize(t, full), fileSize(t, delta)
	t.Logf("full export of the rebuild: %d bytes; delta --since bundle 1: %d bytes (%.0f%%)", fullSize, deltaSize, 100*float64(deltaSize)/float64(fullSize))
	if deltaSize >= fullSize {
		t.Errorf("the delta (%d bytes) is no smaller than the full export (%d bytes)", deltaSize, fullSize)
	}
	rebuilt := contentsOf(t, full)
	if listNamed(t, rebuilt, "pilot").Digest == listNamed(t, base, "pilot").Digest {
		t.Fatal("the rebuild with another Go gave pilot's digest again: no real difference to carry")
	}

	t.Run("the delta alone is refused before any write", func(t *testing.T) {
		e := newHostileEnv(t)
		res := e.run(t, delta)
		t.Logf("exit %d: %s", res.Code, res.Line)
		want := "is a delta on Istio 1.22.0 (checksum " + base.Checksum + ")"
		if res.Code != 2 || !strings.Contains(res.Line, want) || !strings.Contains(res.Line, "import that base bundle") {
			t.Errorf("exit %d: %s\nwant exit 2 saying %q and what to import first", res.Code, res.Line, want)
		}
		for _, m := range []string{"PUT", "POST", "PATCH", "DELETE"} {
			if n := e.proxy.Count(m, ""); n != 0 {
				t.Errorf("%d %s requests reached the registry", n, m)
			}
		}
	})

	r1 := s.Registry + "/e2e-delta-" + e2etest.RandomSuffix(t) + "/istio"
	importInto(t, bundle1, r1)
	importInto(t, delta, r1)
	r2 := os.Getenv("REFERRERS_REGISTRY") + "/e2e-delta-" + e2etest.RandomSuffix(t) + "/istio"
	importInto(t, full, r2)
	for _, l := range rebuilt.Lists {
		for _, tag := range l.Tags {
			if d1, d2 := headDigest(t, r1+"/"+l.Name+":"+tag), headDigest(t, r2+"/"+l.Name+":"+tag); d1 != l.Digest || d2 != l.Digest {
				t.Errorf("%s:%s is %s after bundle 1 and the delta, %s after the full rebuild; the rebuild's is %s", l.Name, tag, d1, d2, l.Digest)
			}
		}
	}

	t.Run("build --output --since", func(t *testing.T) {
		built := filepath.Join(t.TempDir(), "built.tar")
		e2etest.MustBuild(t, append(args, "--progress", "quiet", "--output", "tar:"+built, "--since", bundle1))
		c := contentsOf(t, built)
		if c.Base == nil || c.Base.Checksum != base.Checksum || len(listNamed(t, c, "pilot").InBase) == 0 {
			t.Fatalf("the built delta names the base %+v, pilot relies on it for %d layers", c.Base, len(listNamed(t, c, "pilot").InBase))
		}
		t.Logf("build --output --since bundle 1: %d bytes (istioctl archives and the lock included)", fileSize(t, built))
		r3 := s.Registry + "/e2e-delta-" + e2etest.RandomSuffix(t) + "/istio"
		importInto(t, bundle1, r3)
		importInto(t, built, r3)
		for _, l := range c.Lists {
			if d := headDigest(t, r3+"/"+l.Name+":"+l.Tags[0]); d != l.Digest {
				t.Errorf("%s:%s is %s after bundle 1 and the built delta, want %s", l.Name, l.Tags[0], d, l.Digest)
			}
		}
	})
}

func export(t *testing.T, s e2etest.Stack, hub, to string, extra ...string) {
	t.Helper()
	e2etest.MustBuild(t, append([]string{"export", "--version", "1.22.0", "--hub", hub, "--to", to, "--insecure-registry", s.Registry}, extra...))
}

func importInto(t *testing.T, from, hub string) {
	t.Helper()
	host := strings.SplitN(hub, "/", 2)[0]
	e2etest.MustBuild(t, []string{"import", "--from", from, "--hub", hub, "--insecure-registry", host})
}

func headDigest(t *testing.T, ref string) v1.Hash {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Head(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	return d.Digest
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

// contentsOf reads the contents file of a bundle's tarball.
func contentsOf(t *testing.T, tarball string) carry.Contents {
	t.Helper()
	c, err := carry.ReadBase(tarball)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// goImage seeds the stack's registry with a builder image of Go version
// (golang.org/toolchain through the go command, as scripts/real.sh does)
// and returns its reference.
func goImage(t *testing.T, s e2etest.Stack, version string) string {
	t.Helper()
	env := append(os.Environ(), "GOTOOLCHAIN=go"+version, "GOFLAGS=")
	goroot := run(t, env, "go", "env", "GOROOT")
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	busybox := func(arch string) string { return filepath.Join(cache, "istio-mab", "busybox", arch, "busybox") }
	mk, err := os.ReadFile(filepath.Join("..", "testdata", "fixture", "1.22.0", "Makefile.core.mk"))
	if err != nil {
		t.Fatal(err)
	}
	baseVersion := regexp.MustCompile(`(?m)^BASE_VERSION \?= *(\S+)`).FindSubmatch(mk)
	if baseVersion == nil {
		t.Fatal("no BASE_VERSION in the fixture's Makefile.core.mk")
	}
	out := run(t, append(os.Environ(), "GOTOOLCHAIN=local"), filepath.Join(s.Dir, "bin", "stackctl"), "seed", "--registry", s.Registry,
		"--base-version", string(baseVersion[1]), "--goroot", goroot,
		"--busybox-amd64", busybox("amd64"), "--busybox-arm64", busybox("arm64"))
	ref := regexp.MustCompile(`(?m)^GO_IMAGE=(\S+)`).FindStringSubmatch(out)
	if ref == nil || !strings.HasSuffix(ref[1], ":"+version) || runtime.Version() == "go"+version {
		t.Fatalf("seeding Go %s (the host's is %s): %s", version, runtime.Version(), out)
	}
	return ref[1]
}

// run runs a command from / (so no go.mod picks a toolchain) and returns
// its trimmed output.
func run(t *testing.T, env []string, cmd string, args ...string) string {
	t.Helper()
	c := exec.CommandContext(t.Context(), cmd, args...)
	c.Dir, c.Env = "/", env
	out, err := c.Output()
	if err != nil {
		stderr := ""
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("%s %s: %v\n%s", cmd, strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}
