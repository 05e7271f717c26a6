package main

import (
	"context"
	"fmt"
	"io"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runSeedScanner pushes the SBOM generator image built from
// tools/syft-scanner (scripts/install-syft-scanner.sh) and prints its reference.
func runSeedScanner(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("seed-scanner")
	registry := fs.String("registry", "", "HOST:PORT of the plain-HTTP loopback registry")
	version := fs.String("version", "", "image tag")
	amd64 := fs.String("amd64", "", "scanner binary for linux/amd64")
	arm64 := fs.String("arm64", "", "scanner binary for linux/arm64")
	if err := parse(fs, args, "registry", "version", "amd64", "arm64"); err != nil {
		return err
	}
	ref, err := fixture.SeedScanner(ctx, *registry, *version, map[string]string{"amd64": *amd64, "arm64": *arm64})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "SBOM_GENERATOR=%s\n", ref)
	return nil
}
