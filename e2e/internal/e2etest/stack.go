package e2etest

import (
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

// Stack is the local stack's endpoints, from .stack/env (see scripts/stack-up.sh).
type Stack struct {
	Dir, BuildkitHost, Buildctl        string
	Registry, SecureRegistry, SecureCA string
	SecureUser, SecurePasswordFile     string
	GitURL, EnvoyBaseURL, BaseRegistry string
	GoImage                            string
	// ModuleProxy is the file server's goproxy/ directory: a GOPROXY serving
	// the modules only fixture.GoProxyTag imports.
	ModuleProxy string
}

// LoadStack reads the endpoints; a test run without the stack is a setup
// error, not a reason to skip: run the tests with `make test`.
func LoadStack(t testing.TB) Stack {
	t.Helper()
	get := func(k string) string {
		v := os.Getenv(k)
		if v == "" {
			t.Fatalf("$%s is not set: run the tests with `make test`, which starts the stack and exports .stack/env", k)
		}
		return v
	}
	return Stack{
		Dir: get("STACK_DIR"), BuildkitHost: get("BUILDKIT_HOST"), Buildctl: get("BUILDCTL"),
		Registry: get("REGISTRY"), SecureRegistry: get("SECURE_REGISTRY"), SecureCA: get("SECURE_REGISTRY_CA"),
		SecureUser: get("SECURE_REGISTRY_USER"), SecurePasswordFile: get("SECURE_REGISTRY_PASSWORD_FILE"),
		GitURL: get("GIT_URL"), EnvoyBaseURL: get("ENVOY_BASE_URL"), BaseRegistry: get("BASE_REGISTRY"),
		GoImage: get("GO_IMAGE"), ModuleProxy: get("MODULE_PROXY_URL"),
	}
}

// RepoRoot is the module root: the nearest directory above the test's
// working directory (its package's, e2e/<concern>/) holding go.mod.
func RepoRoot(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("finding the repository root: no go.mod above the working directory")
		}
		dir = parent
	}
}

// SecurePassword is the password of the secure registry's user.
func SecurePassword(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(LoadStack(t).SecurePasswordFile)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// BuildkitClient is a client of the stack's buildkitd, closed when the test ends.
func BuildkitClient(t *testing.T) *client.Client {
	t.Helper()
	c, err := client.New(t.Context(), LoadStack(t).BuildkitHost)
	if err != nil {
		t.Fatalf("connecting to buildkitd: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// GitOutput runs git with args in dir, never prompting, and returns its
// combined output; a failure fails the test.
func GitOutput(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// HTTPGet fetches url from a loopback server and returns status and body.
func HTTPGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: reading body: %v", url, err)
	}
	return resp.StatusCode, b
}
