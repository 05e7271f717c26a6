// Command syft-scanner is an SBOM generator for BuildKit's attest:sbom: it
// implements BuildKit's scanner protocol (docs/attestations/sbom-protocol.md
// in moby/buildkit) on the anchore/syft library.
//
// docker/buildkit-syft-scanner, the default generator, does the same, but
// neither its image nor its module (the Go module proxy refuses it) can be
// fetched on the machines this project tests on; syft itself can.
//
// BuildKit runs the image with the rootfs to scan mounted read-only at
// $BUILDKIT_SCAN_SOURCE, optional further rootfs directories under
// $BUILDKIT_SCAN_SOURCE_EXTRAS, and collects one in-toto statement with an
// SPDX predicate per file written to $BUILDKIT_SCAN_DESTINATION.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/anchore/syft/syft"
	"github.com/anchore/syft/syft/cataloging"
	"github.com/anchore/syft/syft/cataloging/filecataloging"
	"github.com/anchore/syft/syft/cataloging/pkgcataloging"
	"github.com/anchore/syft/syft/format"
	"github.com/anchore/syft/syft/format/spdxjson"
	"github.com/anchore/syft/syft/source"
	// syft refuses to catalog without an SQL driver for newer RPM databases
	// ("sqlite driver is required"): the pure-Go one keeps the binary static.
	_ "modernc.org/sqlite"
)

// statement is an in-toto v0.1 statement, the form BuildKit unbundles; it
// sets the subjects itself when it attaches the attestation to the image.
type statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []struct{}      `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

func main() {
	if err := run(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "syft-scanner:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context) error {
	dest, src := os.Getenv("BUILDKIT_SCAN_DESTINATION"), os.Getenv("BUILDKIT_SCAN_SOURCE")
	if dest == "" || src == "" {
		return errors.New("BUILDKIT_SCAN_DESTINATION and BUILDKIT_SCAN_SOURCE must be set (run by BuildKit's attest:sbom)")
	}
	targets := []string{src}
	// Extras are optional: unset, empty or missing means none.
	if extras := os.Getenv("BUILDKIT_SCAN_SOURCE_EXTRAS"); extras != "" {
		entries, err := os.ReadDir(extras)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		for _, e := range entries {
			targets = append(targets, filepath.Join(extras, e.Name()))
		}
	}
	// syft writes temporary files; BuildKit mounts a tmpfs at /tmp, but a
	// scratch image run by hand has none.
	if err := os.MkdirAll(os.TempDir(), 0o1777); err != nil {
		return err
	}
	for _, t := range targets {
		if err := scan(ctx, t, filepath.Join(dest, filepath.Base(t)+".spdx.json")); err != nil {
			return fmt.Errorf("scanning %s: %w", t, err)
		}
	}
	return nil
}

func scan(ctx context.Context, root, out string) error {
	src, err := syft.GetSource(ctx, root, syft.DefaultGetSourceConfig().
		WithSources("dir").WithBasePath(root).WithAlias(source.Alias{Name: filepath.Base(root)}))
	if err != nil {
		return err
	}
	defer src.Close()
	// A rootfs is an image's content: catalog installed software (package
	// databases, Go and other binaries), as for an image, plus the files.
	sel := cataloging.NewSelectionRequest().WithDefaults(pkgcataloging.ImageTag, filecataloging.FileTag)
	// attest:sbom=generator=IMAGE,SELECT_CATALOGERS=a,b arrives as this variable.
	if v := os.Getenv("BUILDKIT_SCAN_SELECT_CATALOGERS"); v != "" {
		sel = cataloging.NewSelectionRequest().WithExpression(strings.Split(v, ",")...)
	}
	s, err := syft.CreateSBOM(ctx, src, syft.DefaultCreateSBOMConfig().
		WithTool("syft", syftVersion()).WithCatalogerSelection(sel))
	if err != nil {
		return err
	}
	enc, err := spdxjson.NewFormatEncoderWithConfig(spdxjson.DefaultEncoderConfig())
	if err != nil {
		return err
	}
	doc, err := format.Encode(*s, enc)
	if err != nil {
		return err
	}
	b, err := json.Marshal(statement{
		Type:          "https://in-toto.io/Statement/v0.1",
		PredicateType: "https://spdx.dev/Document",
		Subject:       []struct{}{},
		Predicate:     doc,
	})
	if err != nil {
		return err
	}
	return os.WriteFile(out, b, 0o644)
}

// syftVersion is the syft module this binary was built with, for the SBOM's
// creator field.
func syftVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/anchore/syft" {
				return d.Version
			}
		}
	}
	return "unknown"
}
