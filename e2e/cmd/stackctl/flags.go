package main

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// newFlags returns a flag set that reports errors instead of exiting.
func newFlags(name string) *flag.FlagSet {
	return flag.NewFlagSet("stackctl "+name, flag.ContinueOnError)
}

// parse parses args and lists every required flag left empty in one error.
func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return errors.New(fs.Name() + ": unexpected arguments: " + strings.Join(fs.Args(), " "))
	}
	var missing []string
	for _, r := range required {
		if fs.Lookup(r).Value.String() == "" {
			missing = append(missing, "--"+r)
		}
	}
	if len(missing) > 0 {
		return errors.New(fs.Name() + ": missing " + strings.Join(missing, ", "))
	}
	return nil
}

// testdataDir is --testdata if set, else e2e/testdata found from the working
// directory.
func testdataDir(flagValue string) (string, error) {
	if flagValue != "" {
		return filepath.Abs(flagValue)
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	return fixture.TestdataDir(wd)
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }
