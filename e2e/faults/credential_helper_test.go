package faults

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestCredentialHelperArgvCarriesNoSecret (case 12, children's argv): with
// credentials from a docker credential helper, the helpers istio-mab and
// BuildKit's session start are given only their verb as arguments; the
// password reaches them by no argument and leaves them only on stdout.
func TestCredentialHelperArgvCarriesNoSecret(t *testing.T) {
	s := e2etest.LoadStack(t)
	pass, dir := e2etest.SecurePassword(t), t.TempDir()
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
	hub := s.SecureRegistry + "/e2e-" + e2etest.RandomSuffix(t) + "/istio"
	args := append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot", "--registry-ca", s.SecureCA, "--progress", "rawjson")
	res := e2etest.RunIstioMabEnv(t, []string{"DOCKER_CONFIG=" + dir, "PATH=" + dir + ":" + os.Getenv("PATH")}, args...)
	if res.Code != 0 {
		t.Fatalf("build with a credential helper exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 20))
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
	if strings.Contains(res.Stdout+res.Stderr, pass) {
		t.Error("the password appears in istio-mab's output")
	}
}
