package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runEnvoy writes stand-in Envoy downloads for an Istio tree's proxy SHA
// (istio.deps) into OUT under upstream's file names: tarballs holding
// usr/local/bin/envoy for amd64 and arm64, the raw binaries, and the wasm
// files lines up to 1.17 copy. Upstream's bucket is out of reach here; the
// stand-in is the stack's fake Envoy, a static ELF of the right machine that
// answers --version with the SHA, which is all istio-mab checks and copies.
func runEnvoy(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("envoy", flag.ContinueOnError)
	src := fs.String("src", "", "Istio source tree (istio.deps, Makefile.core.mk)")
	out := fs.String("out", "", "directory served as --envoy-base-url")
	fake := fs.String("fakeenvoy-src", "", "fake Envoy module (default: e2e/testdata/fakeenvoy)")
	if err := parse(fs, args, "src", "out"); err != nil {
		return err
	}
	// The fake Envoy is built in its own module directory: paths must be absolute.
	outDir, err := filepath.Abs(*out)
	if err != nil {
		return err
	}
	rel, err := fixture.ReadRelease(*src, filepath.Base(*src))
	if err != nil {
		return err
	}
	if *fake == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		td, err := fixture.TestdataDir(wd)
		if err != nil {
			return err
		}
		*fake = filepath.Join(td, "fakeenvoy")
	}
	files, err := fixture.WriteEnvoyArtifacts(ctx, []fixture.Release{rel}, *fake, outDir)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Println(f)
	}
	return nil
}
