package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/istio-mab/istio-mab/internal/exe"
)

// mainPackage is the CLI, relative to the module root.
const mainPackage = "./cmd/istio-mab"

// compile cross-compiles the CLI for t with the host's Go, stamping the
// version and commit that `istio-mab version` prints (cmd/istio-mab's
// version and commit variables), and checks the binary's headers say t.
func compile(ctx context.Context, cfg config, t target) (string, error) {
	bin := filepath.Join(cfg.out, "istio-mab_"+t.os+"_"+t.arch, t.binary())
	ldflags := fmt.Sprintf("-s -w -X main.version=%s -X main.commit=%s", cfg.version, cfg.commit)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags", ldflags, "-o", bin, mainPackage)
	cmd.Dir = cfg.root
	// No cgo: one static binary per target, built on any host.
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+t.os, "GOARCH="+t.arch)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("compiling %s: %w", t, err)
	}
	if err := exe.CheckFile(bin, t.platform()); err != nil {
		return "", fmt.Errorf("compiled %s: %w", t, err)
	}
	return bin, nil
}
