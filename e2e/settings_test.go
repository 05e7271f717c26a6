package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStrictSettings: a value istio-mab cannot read exactly, from the
// environment or the config file, stops the run with exit 2 and one line
// naming its source, before anything is built or pushed.
func TestStrictSettings(t *testing.T) {
	s := stack(t)
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
			before := catalog(t, s)
			args := append(stackArgs(s, "1.22.0", uniqueHub(s), t.TempDir()), tc.args...)
			res := runIstioMabEnv(t, tc.env, args...)
			if res.code != 2 {
				t.Errorf("exit code %d, want 2 (bad input); stderr:\n%s", res.code, res.stderr)
			}
			if got := strings.TrimSpace(res.stderr); strings.Contains(got, "\n") || !strings.HasPrefix(got, "istio-mab: ") || !strings.Contains(got, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", got, tc.want)
			}
			if after := catalog(t, s); strings.Join(after, ",") != strings.Join(before, ",") {
				t.Errorf("registry changed from %v to %v", before, after)
			}
		})
	}
}

// TestHubShorthandIsDockerHub: --hub myreg, the form Istio's HUB takes,
// means docker.io/myreg; the run says so, and the plan pushes there.
func TestHubShorthandIsDockerHub(t *testing.T) {
	s := stack(t)
	args := append(stackArgs(s, "1.22.0", "myreg", t.TempDir()), "--dry-run", "--progress", "quiet")
	res := runIstioMab(t, args...)
	if res.code != 0 {
		t.Fatalf("dry run exited %d:\n%s", res.code, tail(res.stderr, 20))
	}
	if !strings.Contains(res.stderr, "hub myreg resolves to docker.io/myreg (Docker Hub)") {
		t.Errorf("stderr does not print the resolved hub:\n%s", res.stderr)
	}
	if !strings.Contains(res.stdout, "hub: docker.io/myreg\n") {
		t.Errorf("plan does not push to docker.io/myreg:\n%s", tail(res.stdout, 20))
	}
}
