package build

import (
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// TestBuildToSecureRegistry publishes through the TLS+auth registry with the
// credentials of a docker config file: BuildKit (through the session) and
// the publish step both use them, and they appear nowhere in the output.
func TestBuildToSecureRegistry(t *testing.T) {
	s := e2etest.LoadStack(t)
	pass := e2etest.SecurePassword(t)
	e2etest.DockerConfig(t, s.SecureRegistry, s.SecureUser, pass)
	hub := s.SecureRegistry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio"
	args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--registry-ca", s.SecureCA, "--progress", "plain")
	res := e2etest.MustBuild(t, args)
	if strings.Contains(res.Stdout+res.Stderr, pass) {
		t.Fatal("the registry password appears in istio-mab's output")
	}
	a := e2etest.NewAccess(t, registry.WithRootCAs(s.SecureCA))
	repo, err := a.Repository(hub + "/pilot")
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(repo.Tag("1.22.0"), a.Remote(t.Context())...)
	if err != nil {
		t.Fatal(registry.Explain("reading", repo.Tag("1.22.0"), err))
	}
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Manifests) != 2 || m.Manifests[0].Platform == nil || m.Manifests[1].Platform == nil {
		t.Fatalf("list %+v: want 2 entries, each with its platform", m.Manifests)
	}
}

// TestBuildRefusesMissingCredentials: without credentials, or with a wrong
// password, the run stops with one line before anything is built or pushed.
func TestBuildRefusesMissingCredentials(t *testing.T) {
	s := e2etest.LoadStack(t)
	for name, pass := range map[string]string{"none": "", "wrong password": "not-" + e2etest.SecurePassword(t)} {
		t.Run(name, func(t *testing.T) {
			if pass == "" {
				t.Setenv("DOCKER_CONFIG", t.TempDir())
			} else {
				e2etest.DockerConfig(t, s.SecureRegistry, s.SecureUser, pass)
			}
			before := secureCatalog(t, s)
			hub := s.SecureRegistry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio"
			args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--registry-ca", s.SecureCA, "--progress", "quiet")
			res := e2etest.RunIstioMab(t, args...)
			lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
			want := "authentication failed for " + s.SecureRegistry + " (401): check the credentials in docker config"
			if res.Code != 3 || len(lines) != 1 || !strings.Contains(lines[0], want) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 3 (registry access) and one line containing %q", res.Code, res.Stderr, want)
			}
			if after := secureCatalog(t, s); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("secure registry repositories changed from %v to %v", before, after)
			}
		})
	}
}

// secureCatalog lists the secure registry's repositories with the right credentials.
func secureCatalog(t *testing.T, s e2etest.Stack) []string {
	t.Helper()
	a := e2etest.NewAccess(t, registry.WithRootCAs(s.SecureCA), registry.WithKeychain(staticKeychain{authn.FromConfig(authn.AuthConfig{Username: s.SecureUser, Password: e2etest.SecurePassword(t)})}))
	reg, err := a.Repository(s.SecureRegistry + "/x")
	if err != nil {
		t.Fatal(err)
	}
	repos, err := remote.Catalog(t.Context(), reg.Registry, a.Remote(t.Context())...)
	if err != nil {
		t.Fatalf("listing %s: %v", s.SecureRegistry, err)
	}
	return repos
}

type staticKeychain struct{ auth authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.auth, nil }
