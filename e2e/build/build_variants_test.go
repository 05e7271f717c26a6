package build

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// TestBuildFromDirectoryWithVariants builds from a local checkout (no git
// server), both base variants of both images, tagged as upstream. proxyv2's
// distroless stage is ${ISTIO_BASE_REGISTRY}/iptables pinned by digest.
func TestBuildFromDirectoryWithVariants(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--source", e2etest.FixtureCopy(t, "1.22.0"),
		"--variants", "debug,distroless")
	e2etest.MustBuild(t, args)
	debug := e2etest.CheckImage(t, hub+"/pilot:1.22.0", "pilot", "1.22.0")
	if alias := e2etest.RemoteIndexDigest(t, hub+"/pilot:1.22.0-debug"); alias != debug {
		t.Errorf("1.22.0-debug is %s, want the same list as 1.22.0 (%s)", alias, debug)
	}
	e2etest.CheckImage(t, hub+"/pilot:1.22.0-distroless", "pilot", "1.22.0")
	checkBase(t, hub+"/pilot:1.22.0", "istio-release/base:")
	checkBase(t, hub+"/pilot:1.22.0-distroless", "istio-release/distroless:")
	e2etest.CheckImage(t, hub+"/proxyv2:1.22.0-distroless", "proxyv2", "1.22.0")
	checkBase(t, hub+"/proxyv2:1.22.0", "istio-release/base:")
	checkBase(t, hub+"/proxyv2:1.22.0-distroless", "istio-release/iptables:")
}

// TestBuildFutureVersion: a version newer than every recipe builds with the
// newest recipe and a warning, when the tree has that recipe's layout (here
// pilot copies no bootstrap JSON, as from 1.24).
func TestBuildFutureVersion(t *testing.T) {
	s := e2etest.LoadStack(t)
	dir := e2etest.FixtureCopy(t, "1.22.0")
	dropLines(t, filepath.Join(dir, "pilot/docker/Dockerfile.pilot"), "bootstrap.json")
	hub := e2etest.UniqueHub(s)
	res := e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.99.0", hub, t.TempDir()), "--source", dir, "--images", "pilot"))
	if !strings.Contains(res.Stderr, "warning: no recipe for Istio 1.99.0: using the 1.31 recipe") {
		t.Errorf("no warning about the nearest older recipe in:\n%s", e2etest.Tail(res.Stderr, 5))
	}
	e2etest.CheckImage(t, hub+"/pilot:1.99.0", "pilot", "1.99.0")
}

func TestBuildRefusesSourceOfAnotherLayout(t *testing.T) {
	s := e2etest.LoadStack(t)
	t.Run("missing Dockerfile", func(t *testing.T) {
		dir := e2etest.FixtureCopy(t, "1.22.0")
		if err := os.Remove(filepath.Join(dir, "pilot/docker/Dockerfile.pilot")); err != nil {
			t.Fatal(err)
		}
		args := append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), "--source", dir)
		e2etest.Refuses(t, s, args, "source has no pilot/docker/Dockerfile.pilot, which the recipe expects")
	})
	t.Run("Dockerfile copying what the recipe lacks", func(t *testing.T) {
		args := append(e2etest.StackArgs(s, "1.99.0", e2etest.UniqueHub(s), t.TempDir()), "--source", e2etest.FixtureCopy(t, "1.22.0"))
		e2etest.Refuses(t, s, args, "pilot/docker/Dockerfile.pilot copies envoy_bootstrap.json, which the Istio 1.31 recipe does not provide")
	})
}

func dropLines(t *testing.T, path, containing string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, l := range strings.Split(string(b), "\n") {
		if !strings.Contains(l, containing) {
			kept = append(kept, l)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkBase asserts every platform image of ref was built on the seeded base
// whose fixture label starts with prefix.
func checkBase(t *testing.T, ref, prefix string) {
	t.Helper()
	e2etest.EachConfig(t, ref, func(arch string, cfg *v1.ConfigFile) {
		if got := cfg.Config.Labels[fixture.LabelImage]; !strings.HasPrefix(got, prefix) {
			t.Errorf("%s %s: base %q, want %s...", ref, arch, got, prefix)
		}
	})
}
