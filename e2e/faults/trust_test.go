package faults

import (
	"net/http"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultRegistryNotTrusted (case 13, as istio-mab runs it; the library
// side is TestStackSecureRegistryNeedsCA and
// TestStackPlainRegistryRefusedWithoutInsecure): a hub over plain HTTP not
// named by --insecure-registry, or over TLS with a certificate nobody
// trusts, fails with exit 3 before anything is built; no tag moves and no
// request carrying data reaches the registry.
func TestFaultRegistryNotTrusted(t *testing.T) {
	cases := map[string]struct {
		tls     bool
		message string
	}{
		"plain HTTP without --insecure-registry": {false, "plain HTTP to"},
		// ggcr falls back to plain HTTP after the TLS failure; the
		// certificate is what istio-mab reports.
		"TLS without --registry-ca": {true, "x509"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			e := newFaultEnv(t)
			p, err := faultproxy.New("http://"+e.s.Registry, faultproxy.Options{TLS: c.tls})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Close)
			hub := p.Host() + "/" + e.path
			args := append(e2etest.StackArgs(e.s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--progress", "plain")
			res := e2etest.RunIstioMab(t, args...)
			requireUnchanged(t, res, checkTagInvariant(t, e.s, e.path, e.seed))
			line := errorLine(res)
			t.Logf("exit %d: %s", res.Code, line)
			if res.Code != 3 || !strings.Contains(line, p.Host()) || !strings.Contains(line, c.message) {
				t.Errorf("exit %d, error %q: want exit 3 naming %s and %q", res.Code, line, p.Host(), c.message)
			}
			for _, r := range p.Requests() {
				if r.Method != http.MethodGet && r.Method != http.MethodHead {
					t.Errorf("%s %s reached the registry", r.Method, r.Path)
				}
			}
		})
	}
}

// TestFaultEnvoyPinWrong (case 16, as TestBuild114 checks every Envoy
// form on 1.14): a wrong --envoy-sha256 for the downloaded arm64 Envoy
// refuses the run naming the flag, before any image is pushed.
func TestFaultEnvoyPinWrong(t *testing.T) {
	e := newFaultEnv(t)
	res, moved := e.run(t, "--envoy-sha256", "linux/arm64="+strings.Repeat("0", 64), "--images", "proxyv2")
	requireUnchanged(t, res, moved)
	if line := errorLine(res); !strings.Contains(line, "--envoy-sha256") {
		t.Errorf("error %q does not name --envoy-sha256", line)
	}
	if n := e.proxy.Count(http.MethodPut, "") + e.proxy.Count(http.MethodPost, ""); n != 0 {
		t.Errorf("%d writes reached the registry", n)
	}
}
