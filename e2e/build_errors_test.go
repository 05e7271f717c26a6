package e2e

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// TestBuildRejectsBadInput: each bad input fails with one clear line naming
// the problem and the fix, and nothing reaches the registry.
func TestBuildRejectsBadInput(t *testing.T) {
	s := stack(t)
	cases := []struct {
		name    string
		args    func(hub string) []string
		message string
	}{
		{"version without a tag in the source", func(hub string) []string { return stackArgs(s, "1.22.9", hub, t.TempDir()) },
			"no tag 1.22.9 in " + s.GitURL + ": check --version"},
		{"malformed hub", func(string) []string {
			return stackArgs(s, "1.22.0", "HTTP://Registry.example.com//istio", t.TempDir())
		},
			"is not a registry/namespace: use the form registry.example.com/istio"},
		{"unsupported platform", func(hub string) []string {
			return append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--platforms", "linux/amd64,linux/s390x")
		}, `unsupported platform "linux/s390x": istio-mab builds images for linux/amd64, linux/arm64`},
		{"unreachable BuildKit daemon", func(hub string) []string {
			return append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--buildkit-addr", "unix:///nonexistent/buildkitd.sock")
		}, "BuildKit daemon at unix:///nonexistent/buildkitd.sock is unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := catalog(t, s)
			args := append(c.args(uniqueHub(s)), "--progress", "quiet")
			res := runIstioMab(t, args...)
			if res.code == 0 {
				t.Fatal("istio-mab succeeded, want an error")
			}
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "istio-mab: ") || !strings.Contains(lines[0], c.message) {
				t.Errorf("stderr:\n%s\nwant one line containing %q", res.stderr, c.message)
			}
			if after := catalog(t, s); !slices.Equal(before, after) {
				t.Errorf("registry repositories changed from %v to %v: something was pushed", before, after)
			}
		})
	}
}

// catalog lists the plain registry's repositories: a manifest or blob PUT adds one.
func catalog(t *testing.T, s Stack) []string {
	t.Helper()
	resp, err := http.Get("http://" + s.Registry + "/v2/_catalog?n=100000")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var c struct{ Repositories []string }
	if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
		t.Fatal(err)
	}
	return c.Repositories
}
