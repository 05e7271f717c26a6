package build

import (
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildRejectsBadInput: each bad input fails with one clear line naming
// the problem and the fix, and nothing reaches the registry.
func TestBuildRejectsBadInput(t *testing.T) {
	s := e2etest.LoadStack(t)
	cases := []struct {
		name    string
		args    func(hub string) []string
		message string
	}{
		{"version without a tag in the source", func(hub string) []string { return e2etest.StackArgs(s, "1.22.9", hub, t.TempDir()) },
			"no tag 1.22.9 in " + s.GitURL + ": check --version"},
		{"malformed hub", func(string) []string {
			return e2etest.StackArgs(s, "1.22.0", "HTTP://Registry.example.com//istio", t.TempDir())
		},
			"is not a registry/namespace: use the form registry.example.com/istio"},
		{"invalid tag", func(hub string) []string {
			return append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--tag", "Bad_Tag!")
		}, `--tag "Bad_Tag!" is not a valid image tag`},
		{"base image missing from --base-registry", func(hub string) []string {
			return append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--base-registry", s.Registry+"/no-such-mirror")
		}, "resolving " + s.Registry + "/no-such-mirror/"},
		{"unsupported platform", func(hub string) []string {
			return append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--platforms", "linux/amd64,linux/s390x")
		}, `unsupported platform "linux/s390x": istio-mab builds images for linux/amd64, linux/arm64`},
		{"unreachable BuildKit daemon", func(hub string) []string {
			return append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--buildkit-addr", "unix:///nonexistent/buildkitd.sock")
		}, "BuildKit node unix:///nonexistent/buildkitd.sock is unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e2etest.Catalog(t, s)
			args := append(c.args(e2etest.UniqueHub(s)), "--progress", "quiet")
			res := e2etest.RunIstioMab(t, args...)
			if res.Code == 0 {
				t.Fatal("istio-mab succeeded, want an error")
			}
			lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "istio-mab: ") || !strings.Contains(lines[0], c.message) {
				t.Errorf("stderr:\n%s\nwant one line containing %q", res.Stderr, c.message)
			}
			if after := e2etest.Catalog(t, s); !slices.Equal(before, after) {
				t.Errorf("registry repositories changed from %v to %v: something was pushed", before, after)
			}
		})
	}
}

// TestBuildNeverPrintsURLCredentials: user info in --source and --envoy URLs
// (a common way to pass a token) appears nowhere in the output.
func TestBuildNeverPrintsURLCredentials(t *testing.T) {
	s := e2etest.LoadStack(t)
	const secret = "s3cr3t-token"
	cases := map[string][]string{
		"--source": append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), "--source", "https://user:"+secret+"@127.0.0.1:1/istio.git"),
		"--envoy": append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()),
			"--envoy", "linux/arm64=http://"+secret+"@127.0.0.1:1/envoy.tar.gz?sig="+secret),
	}
	for flag, args := range cases {
		t.Run(flag, func(t *testing.T) {
			res := e2etest.RunIstioMab(t, append(args, "--progress", "plain")...)
			if res.Code == 0 {
				t.Fatal("succeeded with an unreachable URL")
			}
			if strings.Contains(res.Stdout+res.Stderr, secret) {
				t.Errorf("the secret in %s appears in the output:\n%s", flag, e2etest.Tail(res.Stderr, 10))
			}
		})
	}
}
