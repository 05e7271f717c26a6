// Command stackctl prepares the local stand-ins for upstream that istio-mab's
// end-to-end tests run against: the fixture git repository, the Envoy file
// tree, the test modules in GOPROXY layout, a loopback file server, and the
// seeded base and builder images.
//
//	stackctl fixture --out DIR [--testdata DIR]
//	stackctl envoy   --out DIR [--fakeenvoy-src DIR] [--testdata DIR]
//	stackctl goproxy --out DIR [--testdata DIR]
//	stackctl serve   --dir DIR [--listen 127.0.0.1:0] --addr-file FILE
//	stackctl seed    --registry HOST:PORT --busybox-amd64 FILE --busybox-arm64 FILE [--ca-bundle FILE]
//	                 [--base-version V ...] [--goroot DIR] [--testdata DIR]
//	stackctl seed-scanner --registry HOST:PORT --version V --amd64 FILE --arm64 FILE
//	stackctl registry --listen 127.0.0.1:PORT --dir DIR
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

var commands = map[string]func(ctx context.Context, args []string, stdout io.Writer) error{
	"fixture": runFixture,
	"envoy":   runEnvoy,
	"goproxy": runGoProxy,
	"serve":   runServe,
	"seed":    runSeed,
	// The SBOM generator image and the OCI 1.1 referrers registry that
	// signed and attested releases are tested with.
	"seed-scanner": runSeedScanner,
	"registry":     runRegistry,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "stackctl:", err)
		stop()
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 || commands[args[0]] == nil {
		return fmt.Errorf("usage: stackctl fixture|envoy|goproxy|serve|seed|seed-scanner|registry [flags]")
	}
	return commands[args[0]](ctx, args[1:], os.Stdout)
}
