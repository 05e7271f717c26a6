package main

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runSeed pushes the base images and the Go builder image into a loopback
// registry and prints their references.
func runSeed(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("seed")
	registry := fs.String("registry", "", "HOST:PORT of the plain-HTTP loopback registry")
	amd64 := fs.String("busybox-amd64", "", "busybox-static binary for linux/amd64")
	arm64 := fs.String("busybox-arm64", "", "busybox-static binary for linux/arm64")
	goroot := fs.String("goroot", "", "toolchain for the builder image (default: go env GOROOT)")
	testdata := fs.String("testdata", "", "e2e/testdata directory, read when no --base-version is given")
	ca := fs.String("ca-bundle", fixture.HostCABundle, "CA bundle the Go image trusts (module downloads behind a TLS-inspecting gateway need the host's)")
	var versions listFlag
	fs.Var(&versions, "base-version", "base image tag, repeatable (default: every fixture's BASE_VERSION)")
	if err := parse(fs, args, "registry", "busybox-amd64", "busybox-arm64"); err != nil {
		return err
	}
	if len(versions) == 0 {
		var err error
		if versions, err = fixtureBaseVersions(*testdata); err != nil {
			return err
		}
	}
	root, version, err := goToolchain(ctx, *goroot)
	if err != nil {
		return err
	}
	seeded, err := fixture.Seed(ctx, fixture.SeedOptions{
		Registry:     *registry,
		Busybox:      map[string]string{"amd64": *amd64, "arm64": *arm64},
		BaseVersions: versions,
		GoRoot:       root,
		GoVersion:    version,
		CABundle:     *ca,
	})
	if err != nil {
		return err
	}
	for _, ref := range seeded.BaseRefs {
		fmt.Fprintln(stdout, ref)
	}
	fmt.Fprintf(stdout, "GO_IMAGE=%s\n", seeded.GoImage)
	return nil
}

func fixtureBaseVersions(testdata string) ([]string, error) {
	td, err := testdataDir(testdata)
	if err != nil {
		return nil, err
	}
	releases, err := fixture.ReadReleases(filepath.Join(td, "fixture"))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range releases {
		out = append(out, r.BaseVersion)
	}
	return out, nil
}

// goToolchain returns GOROOT and its version without the "go" prefix, asking
// the toolchain itself so a given GOROOT is described correctly.
func goToolchain(ctx context.Context, goroot string) (string, string, error) {
	goBin := "go"
	if goroot != "" {
		goBin = filepath.Join(goroot, "bin", "go")
	}
	out, err := exec.CommandContext(ctx, goBin, "env", "GOROOT", "GOVERSION").Output()
	if err != nil {
		return "", "", fmt.Errorf("asking %s for its GOROOT: %w", goBin, err)
	}
	lines := strings.Fields(string(out))
	if len(lines) != 2 || !strings.HasPrefix(lines[1], "go") {
		return "", "", fmt.Errorf("asking %s for its GOROOT: unexpected output %q", goBin, out)
	}
	return lines[0], strings.TrimPrefix(lines[1], "go"), nil
}
