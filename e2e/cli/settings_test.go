package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestStrictSettings: a value istio-mab cannot read exactly, from the
// environment or the config file, stops the run with exit 2 and one line
// naming its source, before anything is built or pushed.
func TestStrictSettings(t *testing.T) {
	s := e2etest.LoadStack(t)
	typo := filepath.Join(t.TempDir(), "istio-mab") // no extension: YAML all the same
	if err := os.WriteFile(typo, []byte("hubb: "+s.Registry+"/istio\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"ISTIO_MAB_PUSH=yes", []string{"ISTIO_MAB_PUSH=yes"}, nil, `ISTIO_MAB_PUSH: "yes" is not a boolean: use true or false`},
		{"ISTIO_MAB_JOBS=lots", []string{"ISTIO_MAB_JOBS=lots"}, nil, `ISTIO_MAB_JOBS: "lots" is not a whole number`},
		{"misspelt variable", []string{"ISTIO_MAB_HUBB=" + s.Registry + "/istio"}, nil, "unknown variable ISTIO_MAB_HUBB: did you mean ISTIO_MAB_HUB?"},
		{"misspelt config key", nil, []string{"--config", typo}, `config ` + typo + ` line 1: unknown key "hubb": did you mean "hub"?`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := e2etest.Catalog(t, s)
			args := append(e2etest.StackArgs(s, "1.22.0", e2etest.UniqueHub(s), t.TempDir()), tc.args...)
			res := e2etest.RunIstioMabEnv(t, tc.env, args...)
			if res.Code != 2 {
				t.Errorf("exit code %d, want 2 (bad input); stderr:\n%s", res.Code, res.Stderr)
			}
			if got := strings.TrimSpace(res.Stderr); strings.Contains(got, "\n") || !strings.HasPrefix(got, "istio-mab: ") || !strings.Contains(got, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", got, tc.want)
			}
			if after := e2etest.Catalog(t, s); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("registry changed from %v to %v", before, after)
			}
		})
	}
}

// TestHubShorthandIsDockerHub: --hub myreg, the form Istio's HUB takes,
// means docker.io/myreg; the run says so, and the plan pushes there.
func TestHubShorthandIsDockerHub(t *testing.T) {
	s := e2etest.LoadStack(t)
	args := append(e2etest.StackArgs(s, "1.22.0", "myreg", t.TempDir()), "--dry-run", "--progress", "quiet")
	res := e2etest.RunIstioMab(t, args...)
	if res.Code != 0 {
		t.Fatalf("dry run exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 20))
	}
	if !strings.Contains(res.Stderr, "hub myreg resolves to docker.io/myreg (Docker Hub)") {
		t.Errorf("stderr does not print the resolved hub:\n%s", res.Stderr)
	}
	if !strings.Contains(res.Stdout, "hub: docker.io/myreg\n") {
		t.Errorf("plan does not push to docker.io/myreg:\n%s", e2etest.Tail(res.Stdout, 20))
	}
}
