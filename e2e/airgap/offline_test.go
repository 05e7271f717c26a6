package airgap

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestImportOffline runs the import in a new network namespace holding only
// loopback, with the TLS+auth destination registry started inside it as the
// one reachable service: the stack's registry, git and file server, reached
// from outside at the same loopback addresses, are not there. The lists
// arrive with the layout's digests.
func TestImportOffline(t *testing.T) {
	s := e2etest.LoadStack(t)
	pack := filepath.Join(t.TempDir(), "istio.tar")
	src := e2etest.UniqueHub(s)
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", src, ""), "--output", "tar:"+pack, "--progress", "quiet"))
	checkBundleInstall(t, pack, src)
	unpacked := t.TempDir()
	if err := carry.Unpack(t.Context(), pack, unpacked); err != nil {
		t.Fatal(err)
	}
	c := e2etest.ReadContents(t, unpacked)

	e2etest.DockerConfig(t, "127.0.0.1:"+fmt.Sprint(e2etest.OfflineRegistryPort), s.SecureUser, e2etest.SecurePassword(t))
	cfg := e2etest.OfflineRegistryConfig(t, s)
	host := fmt.Sprintf("127.0.0.1:%d", e2etest.OfflineRegistryPort)
	hub := host + "/airgap/istio"
	certs := skopeoCerts(t, s)
	auth := filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")
	var inspect []string
	for _, l := range c.Lists {
		for _, tag := range l.Tags {
			inspect = append(inspect, fmt.Sprintf(`echo "%s:%s $(skopeo inspect --raw --authfile %s --cert-dir %s docker://%s/%s:%s | sha256sum)"`, l.Name, tag, auth, certs, hub, l.Name, tag))
		}
	}
	out := runOffline(t, s, cfg,
		fmt.Sprintf("%s import --from %s --hub %s --registry-ca %s", e2etest.IstioMab(t), pack, hub, s.SecureCA),
		strings.Join(inspect, "\n"))
	for _, l := range c.Lists {
		for _, tag := range l.Tags {
			want := fmt.Sprintf("%s:%s %s", l.Name, tag, l.Digest.Hex)
			if !strings.Contains(out, want) {
				t.Errorf("inside the namespace, want %q in:\n%s", want, out)
			}
		}
	}
}

// stackAddrs are the stack's TCP services as the build reached them.
func stackAddrs(s e2etest.Stack) []string {
	out := []string{s.Registry, s.SecureRegistry}
	for _, u := range []string{s.GitURL, s.EnvoyBaseURL} {
		hostPort := strings.SplitN(strings.SplitN(u, "://", 2)[1], "/", 2)[0]
		out = append(out, hostPort)
	}
	return out
}
