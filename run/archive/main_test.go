package archive

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/containerd/platforms"
)

// testBinaries maps each upstream platform to a tiny program built for it,
// compiled once for the whole test binary.
var testBinaries map[string]string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "archive-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	testBinaries, err = buildTestBinaries(dir)
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = m.Run()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

func buildTestBinaries(dir string) (map[string]string, error) {
	src := filepath.Join(dir, "main.go")
	if err := os.WriteFile(src, []byte("package main\nfunc main() {}\n"), 0o644); err != nil {
		return nil, err
	}
	bins := make(map[string]string)
	for _, p := range UpstreamPlatforms() {
		out := filepath.Join(dir, p.OS+"-"+p.Architecture+p.Variant)
		cmd := exec.Command("go", "build", "-o", out, src)
		cmd.Env = append(os.Environ(), "GOOS="+p.OS, "GOARCH="+p.Architecture, "GOARM=7", "CGO_ENABLED=0", "GOFLAGS=")
		if b, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("go build %s: %v\n%s", p, err, b)
		}
		bins[platforms.Format(p)] = out
	}
	return bins, nil
}

// upstreamBinaries returns the test binaries in upstream's platform order.
func upstreamBinaries(t *testing.T) []Binary {
	t.Helper()
	var bins []Binary
	for _, p := range UpstreamPlatforms() {
		bins = append(bins, Binary{Path: testBinaries[platforms.Format(p)], Platform: p})
	}
	return bins
}

func platform(s string) ocispecs.Platform {
	for _, p := range UpstreamPlatforms() {
		if platforms.Format(p) == s {
			return p
		}
	}
	panic("unknown test platform " + s)
}
