package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runGoProxy writes the test modules (TESTDATA/goproxy) into OUT in GOPROXY
// layout, and prints the go.sum lines that verify them.
func runGoProxy(_ context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("goproxy")
	out := fs.String("out", "", "directory to write the module proxy layout into")
	testdata := fs.String("testdata", "", "e2e/testdata directory (default: found from the working directory)")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	td, err := testdataDir(*testdata)
	if err != nil {
		return err
	}
	mods, err := fixture.WriteGoProxy(filepath.Join(td, "goproxy"), *out)
	if err != nil {
		return err
	}
	for _, m := range mods {
		for _, l := range m.SumLines() {
			fmt.Fprintln(stdout, l)
		}
	}
	return nil
}
