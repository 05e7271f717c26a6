package build

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// TestBuildDigestPinnedBase: the fixture's 1.14.3 proxyv2 pins its distroless
// stage by digest, as upstream's does. A debug build needs only the debug
// base, so it builds against a mirror lacking that digest; the distroless
// build needs the digest, builds where it is, and fails in one line naming
// the variant and the digest where it is not.
func TestBuildDigestPinnedBase(t *testing.T) {
	s := e2etest.LoadStack(t)
	rel := e2etest.FixtureRelease(t, "1.14.3")
	digest, err := fixture.IptablesDigest(rel.BaseVersion)
	if err != nil {
		t.Fatal(err)
	}
	lacking := mirrorWithoutPinnedIptables(t, s, rel.BaseVersion)
	envoy := "linux/arm64=" + s.EnvoyBaseURL + "/" + fixture.EnvoyTarball(rel.ProxySHA, "arm64")
	build := func(hub, baseRegistry, variant string) []string {
		args := append(e2etest.StackArgs(s, "1.14.3", hub, t.TempDir()), "--images", "proxyv2", "--variants", variant,
			"--envoy", envoy, "--base-registry", baseRegistry)
		return args
	}

	t.Run("debug against a mirror lacking the digest", func(t *testing.T) {
		hub := e2etest.UniqueHub(s)
		e2etest.MustBuild(t, build(hub, lacking, "debug"))
		e2etest.CheckImage(t, hub+"/proxyv2:1.14.3", "proxyv2", "1.14.3")
		checkBase(t, hub+"/proxyv2:1.14.3", "istio-release/base:")
		checkProxySHA(t, hub+"/proxyv2:1.14.3", rel.ProxySHA)
	})
	t.Run("distroless against a mirror lacking the digest refused", func(t *testing.T) {
		e2etest.Refuses(t, s, build(e2etest.UniqueHub(s), lacking, "distroless"),
			lacking+"/iptables@"+digest+", needed by proxyv2 distroless, is not in --base-registry: copy gcr.io/istio-release/iptables@"+digest+" into the mirror by digest")
	})
	t.Run("distroless against a registry holding the digest", func(t *testing.T) {
		hub := e2etest.UniqueHub(s)
		e2etest.MustBuild(t, build(hub, s.BaseRegistry, "distroless"))
		e2etest.CheckImage(t, hub+"/proxyv2:1.14.3-distroless", "proxyv2", "1.14.3")
		checkBase(t, hub+"/proxyv2:1.14.3-distroless", "istio-release/iptables:"+rel.BaseVersion)
	})
}

// mirrorWithoutPinnedIptables fills a fresh mirror as one filled by tag would
// be: the debug base as seeded, and an iptables tag whose digest is not the
// one the Dockerfile pins.
func mirrorWithoutPinnedIptables(t *testing.T, s e2etest.Stack, version string) string {
	t.Helper()
	mirror := strings.TrimSuffix(e2etest.UniqueHub(s), "/istio") + "/istio-release"
	e2etest.CopyIndex(t, s.BaseRegistry+"/base:"+version, mirror+"/base:"+version)
	e2etest.CopyIndex(t, s.BaseRegistry+"/distroless:"+version, mirror+"/iptables:"+version)
	return mirror
}

// checkProxySHA: from 1.13 upstream passes the bare proxy SHA as proxy_version.
func checkProxySHA(t *testing.T, ref, sha string) {
	t.Helper()
	e2etest.EachConfig(t, ref, func(arch string, cfg *v1.ConfigFile) {
		if want := "ISTIO_META_ISTIO_PROXY_SHA=" + sha; !slices.Contains(cfg.Config.Env, want) {
			t.Errorf("%s %s: env %q lacks %s", ref, arch, cfg.Config.Env, want)
		}
	})
}
