package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// runFixture writes the fixture git repository: OUT/istio.git.
func runFixture(ctx context.Context, args []string, stdout io.Writer) error {
	fs := newFlags("fixture")
	out := fs.String("out", "", "directory to write istio.git into")
	testdata := fs.String("testdata", "", "e2e/testdata directory (default: found from the working directory)")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	td, err := testdataDir(*testdata)
	if err != nil {
		return err
	}
	tags, err := fixture.BuildRepo(ctx, filepath.Join(td, "fixture"), *out)
	if err != nil {
		return err
	}
	repo, err := filepath.Abs(filepath.Join(*out, fixture.RepoName))
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "REPO=%s\n", repo)
	for _, t := range tags {
		fmt.Fprintf(stdout, "%s %s\n", t.Tag, t.Commit)
	}
	return nil
}
