package e2etest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/istio-mab/istio-mab/carry"
)

// ReadContents reads the contents file of the layout in dir.
func ReadContents(t *testing.T, dir string) carry.Contents {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, carry.ContentsFile))
	if err != nil {
		t.Fatal(err)
	}
	var c carry.Contents
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// OfflineRegistryPort is free in any new network namespace: nothing else
// listens there.
const OfflineRegistryPort = 5443

// OfflineRegistryConfig is a TLS+htpasswd registry on the offline port with
// the stack's certificate and users, storing under a fresh directory.
func OfflineRegistryConfig(t *testing.T, s Stack) string {
	t.Helper()
	sec := filepath.Dir(s.SecureCA)
	dir := t.TempDir()
	cfg := fmt.Sprintf(`version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: %s/data
http:
  addr: 127.0.0.1:%d
  tls:
    certificate: %s/server.pem
    key: %s/server.key
auth:
  htpasswd:
    realm: istio-mab-offline
    path: %s/htpasswd
`, dir, OfflineRegistryPort, sec, sec, sec)
	path := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Helm is the helm client scripts/install-helm.sh built, as the stack's
// environment names it (HELM).
func Helm(t *testing.T) string {
	t.Helper()
	h := os.Getenv("HELM")
	if h == "" {
		t.Fatal("$HELM is not set: run the tests with `make test`, which starts the stack and exports .stack/env")
	}
	return h
}
