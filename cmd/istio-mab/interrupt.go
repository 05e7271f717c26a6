package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"
)

// exitInterrupted is the shell's code for a run ended by SIGINT.
const exitInterrupted = 130

// unwindTime is how long a run may take to stop after a signal: long enough
// for BuildKit to cancel its solves and a PUT in flight to end, short enough
// for a user or CI to see it stop at once.
const unwindTime = 2 * time.Second

// interruptible returns a context cancelled by SIGINT or SIGTERM, and
// whether one arrived. Once cancelled, the process exits 130 after
// unwindTime, or at once on a second signal, whatever the run is doing. No
// tag can move after the cancel: every registry call takes this context.
func interruptible() (context.Context, *atomic.Bool) {
	ctx, cancel := context.WithCancel(context.Background())
	interrupted := &atomic.Bool{}
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-sig
		interrupted.Store(true)
		cancel()
		select {
		case <-time.After(unwindTime):
		case <-sig:
		}
		fmt.Fprintln(os.Stderr, "istio-mab: interrupted")
		os.Exit(exitInterrupted)
	}()
	return ctx, interrupted
}
