package airgap

import (
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// runOffline runs script in a new network namespace holding only loopback,
// after checking the stack's services are unreachable there and starting
// the TLS+auth registry of cfg (e2etest.OfflineRegistryConfig) as the one
// service; it returns the script's output. Run again with the same cfg,
// the registry serves what earlier runs pushed: its storage is on disk.
func runOffline(t *testing.T, s e2etest.Stack, cfg string, script ...string) string {
	t.Helper()
	full := append([]string{
		"set -e",
		"ip link set lo up",
		// Outside services at the addresses the build used must be unreachable.
		fmt.Sprintf(`for a in %s; do if bash -c "exec 3<>/dev/tcp/${a%%:*}/${a##*:}" 2>/dev/null; then echo "reached $a"; exit 9; fi; done`, strings.Join(stackAddrs(s), " ")),
		"docker-registry serve " + cfg + " >>" + cfg + ".log 2>&1 & reg=$!",
		"trap 'kill $reg; wait $reg 2>/dev/null || true' EXIT",
		fmt.Sprintf(`for i in $(seq 100); do bash -c "exec 3<>/dev/tcp/127.0.0.1/%d" 2>/dev/null && break; sleep 0.1; done`, e2etest.OfflineRegistryPort),
	}, script...)
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "-n", "bash", "-c", strings.Join(full, "\n"))
	cmd.Env = e2etest.IstioMabEnv() // the stack's port overrides are no istio-mab settings
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in a network namespace: %v\n%s", err, out)
	}
	return string(out)
}
