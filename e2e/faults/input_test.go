package faults

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFaultBadInputReachesNoRegistry (case 15): each bad input fails with
// one line and exit 2, and the proxy in front of the registry sees no request.
func TestFaultBadInputReachesNoRegistry(t *testing.T) {
	emptyList := filepath.Join(t.TempDir(), "platforms.yaml")
	if err := os.WriteFile(emptyList, []byte("platforms: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		args    func(e *faultEnv) []string
		config  string // docker config.json, when set
		message string
	}{
		{"uppercase repository", func(e *faultEnv) []string { return []string{"--hub", e.proxy.Host() + "/E2E/Istio"} }, "",
			"is not a registry/namespace"},
		{"tag over 128 characters", func(*faultEnv) []string { return []string{"--tag", strings.Repeat("t", 129)} }, "",
			"is not a valid image tag"},
		{"unknown variant", func(*faultEnv) []string { return []string{"--platforms", "linux/amd64/v9"} }, "",
			`unsupported platform "linux/amd64/v9"`},
		{"duplicate platform", func(*faultEnv) []string { return []string{"--platforms", "linux/amd64,linux/arm64,linux/amd64"} }, "",
			"platform linux/amd64 is listed twice"},
		{"empty platform list", func(*faultEnv) []string { return []string{"--platforms", ","} }, "",
			"names no platform"},
		{"empty platforms file", func(*faultEnv) []string { return []string{"--platforms-file", emptyList} }, "",
			"want a YAML list"},
		{"malformed docker config", func(*faultEnv) []string { return nil }, `{"auths": {`,
			"fix the docker config"},
		{"missing credential helper", func(*faultEnv) []string { return nil }, `{"credsStore": "e2e-no-such-helper"}`,
			"fix the docker config"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newFaultEnv(t)
			if c.config != "" {
				dir := t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(c.config), 0o600); err != nil {
					t.Fatal(err)
				}
				t.Setenv("DOCKER_CONFIG", dir)
			}
			res, moved := e.run(t, append(c.args(e), "--progress", "quiet")...)
			requireUnchanged(t, res, moved)
			lines := strings.Split(strings.TrimSpace(res.Stderr), "\n")
			if res.Code != 2 || len(lines) != 1 || !strings.Contains(lines[0], c.message) {
				t.Errorf("exit %d, stderr:\n%s\nwant exit 2 and one line containing %q", res.Code, res.Stderr, c.message)
			}
			if n := len(e.proxy.Requests()); n != 0 {
				t.Errorf("%d requests reached the registry", n)
			}
		})
	}
}
