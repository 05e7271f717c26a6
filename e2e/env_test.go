package e2e

import (
	"os"
	"testing"
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

// stack reads the endpoints; a test run without the stack is a setup error,
// not a reason to skip: run the tests with `make test`.
func stack(t testing.TB) Stack {
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
