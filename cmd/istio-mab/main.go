// Command istio-mab rebuilds Istio's images and binaries for several CPU
// architectures with BuildKit and publishes them to a registry of your choice.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRootCommand().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "istio-mab:", err)
		os.Exit(1)
	}
}
