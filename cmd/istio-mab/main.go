// Command istio-mab rebuilds Istio's images and binaries for several CPU
// architectures with BuildKit and publishes them to a registry of your choice.
package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/istio-mab/istio-mab/builder/failure"
)

func main() {
	// BuildKit's session server logs to the standard logger when a failed solve
	// closes it; errors reach the user through our own one-line message.
	log.SetOutput(io.Discard)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "istio-mab:", err)
	}
	// The exit code says what kind of failure it was: docs/exit-codes.md.
	os.Exit(failure.Code(err))
}
