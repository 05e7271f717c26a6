package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// config is what one release is built from.
type config struct {
	version, commit string
	date            time.Time // every archive entry's time: the commit's
	root, out       string    // module root; output directory
	targets         []target
	image           imageConfig
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cfg, err := parseFlags(os.Args[1:])
	if err == nil {
		err = run(ctx, cfg, os.Stdout)
	}
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	fs := flag.NewFlagSet("release", flag.ContinueOnError)
	cfg := config{}
	fs.StringVar(&cfg.version, "version", "", "version to stamp and name the archives with, e.g. v0.4.0 (required)")
	fs.StringVar(&cfg.commit, "commit", "", "commit to stamp (required)")
	date := fs.Int64("date", 0, "archive entries' time, Unix seconds (the commit's time)")
	fs.StringVar(&cfg.root, "root", ".", "the istio-mab module's root")
	fs.StringVar(&cfg.out, "out", "dist", "output directory; its istio-mab_* and checksums.txt are replaced")
	targets := fs.String("targets", targetList(), "comma-separated GOOS/GOARCH to release")
	addImageFlags(fs, &cfg.image)
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if cfg.version == "" || cfg.commit == "" || strings.ContainsAny(cfg.version+cfg.commit, " \t'\"") {
		return config{}, errors.New("-version and -commit are required, without spaces or quotes")
	}
	cfg.date = time.Unix(*date, 0).UTC()
	var err error
	cfg.targets, err = parseTargets(*targets)
	return cfg, err
}

// run builds every target's archive, the checksums, then the image.
func run(ctx context.Context, cfg config, w io.Writer) error {
	if err := clean(cfg.out); err != nil {
		return err
	}
	names := make([]string, 0, len(cfg.targets))
	bins := map[target]string{}
	for _, t := range cfg.targets {
		bin, err := compile(ctx, cfg, t)
		if err != nil {
			return err
		}
		name, size, err := writeArchive(cfg.out, t, cfg.version, cfg.date, bin, filepath.Join(cfg.root, "README.md"))
		if err != nil {
			return err
		}
		if err := checkArchive(cfg.out, name, t); err != nil {
			return err
		}
		fmt.Fprintf(w, "%s\t%d bytes\t%s binary checked\n", name, size, t)
		names, bins[t] = append(names, name), bin
	}
	lines, err := writeChecksums(cfg.out, names)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s:\n  %s\n", filepath.Join(cfg.out, checksumsFile), strings.Join(lines, "\n  "))
	if cfg.image.repo == "" {
		fmt.Fprintln(w, "image: not built (no -image)")
		return nil
	}
	return releaseImage(ctx, cfg, bins, w)
}

// clean removes what an earlier release wrote to out, and only that: out
// may hold other files, such as istioctl archives of a demo build.
func clean(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	old, err := filepath.Glob(filepath.Join(out, "istio-mab_*"))
	if err != nil {
		return err
	}
	for _, p := range append(old, filepath.Join(out, checksumsFile)) {
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	return nil
}
