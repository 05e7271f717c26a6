// Command realctl prepares and checks the "real-Istio lane" (scripts/real.sh,
// `make real`): building an upstream Istio tag end to end on the local stack,
// with stand-ins only for what this machine cannot reach.
//
//	realctl envoy   --src ISTIO_TREE --out DIR
//	realctl goproxy --go-sum FILE --out DIR MODULE@VERSION=GIT_DIR ...
//	realctl check   --hub HUB --version V --dist DIR [--images pilot,proxyv2] [--platforms ...]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

var commands = map[string]func(ctx context.Context, args []string) error{
	"envoy":   runEnvoy,
	"goproxy": runGoProxy,
	"check":   runCheck,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: realctl envoy|goproxy|check [flags]")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](ctx, os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "realctl:", err)
		stop()
		os.Exit(1)
	}
}

// parse parses args into fs and fails on any required flag left empty.
func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, r := range required {
		if fs.Lookup(r).Value.String() == "" {
			return fmt.Errorf("%s: missing --%s", fs.Name(), r)
		}
	}
	return nil
}
