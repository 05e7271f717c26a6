package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCredentialHelperArgvCarriesNoSecret (case 12, children's argv): with
// credentials from a docker credential helper, the helpers istio-mab and
// BuildKit's session start are given only their verb as arguments; the
// password reaches them by no argument and leaves them only on stdout.
func TestCredentialHelperArgvCarriesNoSecret(t *testing.T) {
	s := stack(t)
	pass, dir := securePassword(t), t.TempDir()
	record := filepath.Join(dir, "argv")
	helper := fmt.Sprintf("#!/bin/sh\necho \"$@\" >> %s\ncat >/dev/null\nprintf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}'\n",
		record, s.SecureRegistry, s.SecureUser, pass)
	if err := os.WriteFile(filepath.Join(dir, "docker-credential-e2e-record"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg, _ := json.Marshal(map[string]any{"credHelpers": map[string]string{s.SecureRegistry: "e2e-record"}})
	if err := os.WriteFile(filepath.Join(dir, "config.json"), cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	hub := s.SecureRegistry + "/e2e-" + randomSuffix(t) + "/istio"
	args := append(stackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--registry-ca", s.SecureCA, "--progress", "rawjson")
	res := runIstioMabEnv(t, []string{"DOCKER_CONFIG=" + dir, "PATH=" + dir + ":" + os.Getenv("PATH")}, args...)
	if res.code != 0 {
		t.Fatalf("build with a credential helper exited %d:\n%s", res.code, tail(res.stderr, 20))
	}
	calls, err := os.ReadFile(record)
	if err != nil {
		t.Fatalf("the credential helper was never run: %v", err)
	}
	for _, argv := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if argv != "get" {
			t.Errorf("credential helper ran with arguments %q, want only \"get\"", argv)
		}
	}
	if strings.Contains(res.stdout+res.stderr, pass) {
		t.Error("the password appears in istio-mab's output")
	}
}
