package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// runRegistry serves an OCI registry with the OCI 1.1 referrers API
// (GET /v2/<name>/referrers/<digest>) on loopback until interrupted: the
// Debian distribution registry (2.8) has no such API, and neither has
// distribution v3.1.2, the newest on the module proxy. It is
// go-containerregistry's registry with referrers support, made to answer as
// the spec says where it does not (referrersConformance); blobs on disk under
// DIR, manifests in memory, so its content lasts as long as the process.
func runRegistry(ctx context.Context, args []string, _ io.Writer) error {
	fs := newFlags("registry")
	listen := fs.String("listen", "", "loopback HOST:PORT to listen on")
	dir := fs.String("dir", "", "directory for the blobs")
	if err := parse(fs, args, "listen", "dir"); err != nil {
		return err
	}
	ln, err := listenLoopback(*listen)
	if err != nil {
		return err
	}
	defer ln.Close()
	// A new process knows no manifests: the blobs of the last one are garbage
	// (cleared once the port is ours, so never under a running registry).
	blobs := filepath.Join(*dir, "blobs")
	if err := os.RemoveAll(blobs); err != nil {
		return err
	}
	if err := os.MkdirAll(blobs, 0o755); err != nil {
		return err
	}
	handler := referrersConformance{inner: registry.New(
		registry.WithReferrersSupport(true),
		registry.WithBlobHandler(registry.NewDiskBlobHandler(blobs)),
		registry.Logger(log.New(os.Stderr, "", log.LstdFlags)),
	)}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serving the registry on %s: %w", *listen, err)
	}
	return nil
}
