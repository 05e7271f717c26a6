// Command istio-mab rebuilds Istio's images and binaries for several CPU
// architectures with BuildKit and publishes them to a registry of your choice.
package main

import (
	"fmt"
	"io"
	"log"
	"os"

	istiomab "github.com/istio-mab/istio-mab"
)

func main() {
	// BuildKit's session server logs to the standard logger when a failed solve
	// closes it; errors reach the user through our own one-line message.
	log.SetOutput(io.Discard)
	ctx, interrupted := interruptible()
	err := newRootCommand().ExecuteContext(ctx)
	if interrupted.Load() {
		fmt.Fprintln(os.Stderr, "istio-mab: interrupted")
		os.Exit(exitInterrupted)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "istio-mab:", oneLine(err))
		if os.Getenv("GITHUB_ACTIONS") == "true" {
			// A workflow command, so the run's page shows the failure.
			fmt.Fprintf(os.Stdout, "::error title=istio-mab (exit %d)::%s\n", istiomab.ExitCode(err), oneLine(err))
		}
	}
	// The exit code says what kind of failure it was: docs/exit-codes.md.
	os.Exit(istiomab.ExitCode(err))
}
