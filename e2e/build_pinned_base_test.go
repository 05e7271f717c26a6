package e2e

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// TestBuildDigestPinnedBase: the fixture's 1.14.3 proxyv2 pins its distroless
// stage by digest, as upstream's does. A debug build needs only the debug
// base, so it builds against a mirror lacking that digest; the distroless
// build needs the digest, builds where it is, and fails in one line naming
// the variant and the digest where it is not.
func TestBuildDigestPinnedBase(t *testing.T) {
	s := stack(t)
	rel := fixtureRelease(t, "1.14.3")
	digest, err := fixture.IptablesDigest(rel.BaseVersion)
	if err != nil {
		t.Fatal(err)
	}
	lacking := mirrorWithoutPinnedIptables(t, s, rel.BaseVersion)
	envoy := "linux/arm64=" + s.EnvoyBaseURL + "/" + fixture.EnvoyTarball(rel.ProxySHA, "arm64")
	build := func(hub, baseRegistry, variant string) []string {
		args := append(stackArgs(s, "1.14.3", hub, t.TempDir()), "--images", "proxyv2", "--variants", variant,
			"--envoy", envoy, "--base-registry", baseRegistry)
		return args
	}

	t.Run("debug against a mirror lacking the digest", func(t *testing.T) {
		hub := uniqueHub(s)
		mustBuild(t, build(hub, lacking, "debug"))
		checkImage(t, hub+"/proxyv2:1.14.3", "proxyv2", "1.14.3")
		checkBase(t, hub+"/proxyv2:1.14.3", "istio-release/base:")
		checkProxySHA(t, hub+"/proxyv2:1.14.3", rel.ProxySHA)
	})
	t.Run("distroless against a mirror lacking the digest refused", func(t *testing.T) {
		refuses(t, s, build(uniqueHub(s), lacking, "distroless"),
			lacking+"/iptables@"+digest+", needed by proxyv2 distroless, is not in --base-registry: copy gcr.io/istio-release/iptables@"+digest+" into the mirror by digest")
	})
	t.Run("distroless against a registry holding the digest", func(t *testing.T) {
		hub := uniqueHub(s)
		mustBuild(t, build(hub, s.BaseRegistry, "distroless"))
		checkImage(t, hub+"/proxyv2:1.14.3-distroless", "proxyv2", "1.14.3")
		checkBase(t, hub+"/proxyv2:1.14.3-distroless", "istio-release/iptables:"+rel.BaseVersion)
	})
}

// mirrorWithoutPinnedIptables fills a fresh mirror as one filled by tag would
// be: the debug base as seeded, and an iptables tag whose digest is not the
// one the Dockerfile pins.
func mirrorWithoutPinnedIptables(t *testing.T, s Stack, version string) string {
	t.Helper()
	mirror := strings.TrimSuffix(uniqueHub(s), "/istio") + "/istio-release"
	copyIndex(t, s.BaseRegistry+"/base:"+version, mirror+"/base:"+version)
	copyIndex(t, s.BaseRegistry+"/distroless:"+version, mirror+"/iptables:"+version)
	return mirror
}

func copyIndex(t *testing.T, from, to string) {
	t.Helper()
	dst, err := name.NewTag(to, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(dst, remoteIndex(t, from), remote.WithContext(t.Context())); err != nil {
		t.Fatalf("copying %s to %s: %v", from, to, err)
	}
}

// checkProxySHA: from 1.13 upstream passes the bare proxy SHA as proxy_version.
func checkProxySHA(t *testing.T, ref, sha string) {
	t.Helper()
	eachConfig(t, ref, func(arch string, cfg *v1.ConfigFile) {
		if want := "ISTIO_META_ISTIO_PROXY_SHA=" + sha; !slices.Contains(cfg.Config.Env, want) {
			t.Errorf("%s %s: env %q lacks %s", ref, arch, cfg.Config.Env, want)
		}
	})
}
