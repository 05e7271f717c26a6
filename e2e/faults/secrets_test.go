package faults

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/faultproxy"
)

const (
	e2eUser  = "e2e-user"
	e2ePass  = "e2e-Pa55-never-shown"
	e2eSig   = "e2eSIGNATUREsecret"
	e2eToken = "e2e-bearer-token-never-shown"
)

// tokenRules make p its own Bearer realm (ggcr refuses a realm on another
// loopback host): /token hands e2eToken for e2eUser's password, by GET with
// basic auth or by POST of an OAuth password grant (containerd, and so
// BuildKit, tries that first); every other request without the token is
// asked for one.
func tokenRules(p *faultproxy.Proxy) {
	granted := []byte(`{"token":"` + e2eToken + `","access_token":"` + e2eToken + `"}`)
	p.Add(faultproxy.Rule{Path: re(`^/token$`),
		Match: func(r *http.Request, body []byte) bool {
			user, pass, _ := r.BasicAuth()
			if r.Method == http.MethodPost {
				form, _ := url.ParseQuery(string(body))
				user, pass = form.Get("username"), form.Get("password")
			}
			return user == e2eUser && pass == e2ePass
		},
		Fault: faultproxy.Fault{Status: http.StatusOK, Body: granted, Header: http.Header{"Content-Type": {"application/json"}}}})
	p.Add(faultproxy.Rule{Path: re(`^/token$`), Fault: faultproxy.Fault{Status: http.StatusUnauthorized}})
	p.Add(faultproxy.Rule{
		Match: func(r *http.Request, _ []byte) bool { return r.Header.Get("Authorization") != "Bearer "+e2eToken },
		Fault: faultproxy.Fault{Status: http.StatusUnauthorized, Header: http.Header{
			"Www-Authenticate": {`Bearer realm="` + p.URL() + `/token",service="e2e"`}}}})
}

// TestFaultSecretsStayHidden (cases 12 and 17): the registry wants a Bearer
// token from a realm that takes the docker config's password, and sends
// istio-mab's blob reads to a storage host (same address, another port)
// with a signed ?sig= URL. With the most verbose progress and a metadata
// file, the run succeeds; the storage host never receives the registry's
// credentials; the password, token and signature appear in no output, no
// metadata and no pushed config or history.
func TestFaultSecretsStayHidden(t *testing.T) {
	e := newFaultEnv(t)
	store, err := faultproxy.New("http://"+e.s.Registry, faultproxy.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(store.Close)
	e2etest.DockerConfig(t, e.proxy.Host(), e2eUser, e2ePass)
	tokenRules(e.proxy)
	// istio-mab's own blob reads (verification) go to the storage host.
	e.proxy.Add(faultproxy.Rule{Method: http.MethodGet, Path: re(`^/v2/.+/blobs/sha256:`), Header: map[string]string{"User-Agent": "istio-mab"},
		Fault: faultproxy.Fault{Redirect: func(r *http.Request) string { return store.URL() + r.URL.Path + "?sig=" + e2eSig }}})

	metadata := filepath.Join(t.TempDir(), "metadata.json")
	res, moved := e.run(t, "--progress", "rawjson", "--metadata-file", metadata,
		"--insecure-registry", store.Host())
	requireMoved(t, res, moved)

	signed := 0
	for _, r := range store.Requests() {
		if strings.Contains(r.Query, "sig="+e2eSig) {
			signed++
		}
		if a := r.Header.Get("Authorization"); a != "" {
			t.Errorf("the storage host received Authorization %.12s... on %s %s", a, r.Method, r.Path)
		}
	}
	if signed == 0 {
		t.Fatal("no blob read followed the signed redirect: the redirect was not exercised")
	}
	meta, err := os.ReadFile(metadata)
	if err != nil {
		t.Fatal(err)
	}
	places := map[string]string{"stdout": res.Stdout, "stderr": res.Stderr, "metadata file": string(meta),
		"pushed configs": pushedConfigs(t, e.s.Registry+"/"+e.path+"/pilot:1.22.0")}
	basic := base64.StdEncoding.EncodeToString([]byte(e2eUser + ":" + e2ePass))
	for place, text := range places {
		for _, secret := range []string{e2ePass, basic, e2eToken, e2eSig} {
			if strings.Contains(text, secret) {
				t.Errorf("a secret (%.4s...) appears in the %s", secret, place)
			}
		}
	}
}

// pushedConfigs is every platform config (history included) of list ref.
func pushedConfigs(t *testing.T, ref string) string {
	t.Helper()
	var b strings.Builder
	e2etest.EachConfig(t, ref, func(_ string, cfg *v1.ConfigFile) {
		raw, _ := json.Marshal(cfg)
		b.Write(raw)
	})
	return b.String()
}
