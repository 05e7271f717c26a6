package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestExitCodeContract: every command keeps docs/exit-codes.md, each code
// from a real failure: bad input (2), a registry that refuses connections
// (3), a BuildKit node that is not there (7). Build's 4, 5, 6 and 130 come
// from the faults and build packages (TestFault*, TestBuildBroken*), import's
// 3 from e2e/airgap (TestImportUnreachableRegistry), its 5 from the hostile bundles.
func TestExitCodeContract(t *testing.T) {
	s := e2etest.LoadStack(t)
	down := "127.0.0.1:1" // loopback, nothing listens
	noNode := []string{"--buildkit-addr", "unix://" + filepath.Join(t.TempDir(), "none.sock")}
	release := []string{"--version", "1.22.0"}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"build bad input", append([]string{"build", "--hub", "registry.example.com/istio"}, "--version", "1.x"), 2, "version"},
		{"build registry down", append(append([]string{"build", "--hub", down + "/istio", "--insecure-registry", down}, release...), noNode...), 3, "cannot reach"},
		{"build node down", append(append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), noNode...), "--push=false"), 7, "unreachable"},
		{"plan bad input", []string{"plan", "--hub", "registry.example.com/istio", "--version", "1.22.0", "--istioctl", "linux/s390x", "--source", t.TempDir()}, 2, "--istioctl"},
		{"plan node down", append(append([]string{"plan", "--hub", "registry.example.com/istio"}, release...), noNode...), 7, "unreachable"},
		{"lock bad input", []string{"lock", "--version", "1.22.0", "--platform", "linux/s390x"}, 2, "unsupported platform"},
		{"lock node down", append(append([]string{"lock"}, release...), noNode...), 7, "unreachable"},
		{"verify bad input", []string{"verify"}, 2, "name what to verify"},
		{"verify registry down", []string{"verify", "--insecure-registry", down, down + "/istio/pilot:1.22.0"}, 3, "cannot reach"},
		{"export bad input", append([]string{"export", "--hub", "registry.example.com/istio"}, release...), 2, "--to"},
		{"export registry down", append([]string{"export", "--hub", down + "/istio", "--insecure-registry", down, "--to", "oci-layout:" + filepath.Join(t.TempDir(), "b")}, release...), 3, "cannot reach"},
		{"import bad input", []string{"import", "--hub", "registry.example.com/istio"}, 2, "--from"},
		{"import bad bundle", []string{"import", "--from", t.TempDir(), "--hub", "registry.example.com/istio"}, 2, "has no istio-mab.json"},
		{"mirror bad input", append([]string{"mirror", "--hub", "registry.example.com/istio", "--to", "registry.example.com/istio"}, release...), 2, "--to"},
		{"mirror registry down", append([]string{"mirror", "--from", down + "/istio", "--insecure-registry", down + "," + s.Registry, "--hub", s.Registry + "/mirror"}, release...), 3, "cannot reach"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := e2etest.RunIstioMab(t, tc.args...)
			var errs []string
			for _, l := range strings.Split(res.Stderr, "\n") {
				if strings.HasPrefix(l, "istio-mab: ") {
					errs = append(errs, l)
				}
			}
			if res.Code != tc.code || len(errs) != 1 || !strings.Contains(errs[0], tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and one error line with %q", res.Code, res.Stderr, tc.code, tc.want)
			}
		})
	}
}
