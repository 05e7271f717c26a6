package faults

import (
	"encoding/base64"
	"net/http"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

// TestFaultPushDenied (case 4): the proxy asks for basic credentials, which
// the docker config holds, then denies istio-mab's manifest list PUT. The
// run exits 3 naming the registry and repository, sends the PUT at most
// twice (one re-authentication), and never prints the credentials.
func TestFaultPushDenied(t *testing.T) {
	const user, pass = "e2e-user", "e2e-Pa55-not-printed"
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			e := newFaultEnv(t)
			e2etest.DockerConfig(t, e.proxy.Host(), user, pass)
			challenge := http.Header{"Www-Authenticate": {`Basic realm="e2e"`}}
			e.proxy.Add(faultproxy.Rule{Method: http.MethodGet, Path: re(`^/v2/$`),
				Match: func(r *http.Request, _ []byte) bool { return r.Header.Get("Authorization") == "" },
				Fault: faultproxy.Fault{Status: http.StatusUnauthorized, Header: challenge}})
			e.proxy.Add(faultproxy.Rule{Method: http.MethodPut, Header: isListPut,
				Fault: faultproxy.Fault{Status: status, Header: challenge,
					Body: []byte(`{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)}})
			res, moved := e.run(t)
			requireUnchanged(t, res, moved)
			line := errorLine(res)
			if res.Code != 3 || !strings.Contains(line, e.proxy.Host()) || !strings.Contains(line, e.path+"/pilot") {
				t.Errorf("exit %d, error %q: want exit 3 naming %s and %s/pilot", res.Code, line, e.proxy.Host(), e.path)
			}
			if n := faulted(e.proxy) - challenges(e.proxy); n < 1 || n > 2 {
				t.Errorf("%d denied list PUTs, want 1 or 2 (at most one re-authentication)", n)
			}
			basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
			for _, secret := range []string{pass, basic} {
				if strings.Contains(res.Stdout+res.Stderr, secret) {
					t.Errorf("a credential appears in the output")
				}
			}
			if !sentAuthorization(e.proxy, basic) {
				t.Error("the credentials were never sent: the challenge was not exercised")
			}
		})
	}
}

func challenges(p *faultproxy.Proxy) int {
	n := 0
	for _, r := range p.Requests() {
		if r.Faulted && r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

func sentAuthorization(p *faultproxy.Proxy, basic string) bool {
	for _, r := range p.Requests() {
		if r.Header.Get("Authorization") == "Basic "+basic {
			return true
		}
	}
	return false
}
