package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runEnvoy writes the Envoy tarballs, raw binaries and wasm files of every
// fixture release into OUT, named as in upstream's proxy bucket.
func runEnvoy(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("envoy")
	out := fs.String("out", "", "directory to write the artifacts into")
	src := fs.String("fakeenvoy-src", "", "fake envoy module (default: TESTDATA/fakeenvoy)")
	testdata := fs.String("testdata", "", "e2e/testdata directory (default: found from the working directory)")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	td, err := testdataDir(*testdata)
	if err != nil {
		return err
	}
	if *src == "" {
		*src = filepath.Join(td, "fakeenvoy")
	}
	releases, err := fixture.ReadReleases(filepath.Join(td, "fixture"))
	if err != nil {
		return err
	}
	files, err := fixture.WriteEnvoyArtifacts(ctx, releases, *src, *out)
	if err != nil {
		return err
	}
	for _, f := range files {
		fmt.Fprintln(stdout, f)
	}
	return nil
}
