package lock

import (
	"context"
	"crypto/sha256"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"io"
	"net/http"

	"github.com/istio-mab/istio-mab/plan"
)

// Fetch computes the sha256 of every Envoy download or file and every wasm
// download of p, by URL or path. Downloads are made from this host: lock
// runs on the connected side.
func Fetch(ctx context.Context, p plan.Plan) (map[string]string, error) {
	out := map[string]string{}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			if e := ip.Envoy; e != nil && e.SHA256 == "" && e.Kind != plan.EnvoyImage && out[e.Ref] == "" {
				sum, err := hashOf(ctx, envoyPath(*e), e.Kind == plan.EnvoyFile)
				if err != nil {
					return nil, fmt.Errorf("Envoy %s: %w", e.Name(), err)
				}
				out[e.Ref] = sum
			}
		}
		for _, w := range img.Wasm {
			if w.SHA256 != "" {
				out[w.URL] = w.SHA256
			} else if out[w.URL] == "" {
				sum, err := hashOf(ctx, w.URL, false)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", plan.Redact(w.URL), err)
				}
				out[w.URL] = sum
			}
		}
	}
	return out, nil
}

// envoyPath is the user's file rather than the run's staged copy, which is
// gone once Resolve's caller is done.
func envoyPath(e plan.Envoy) string {
	if e.Kind == plan.EnvoyFile && e.Supplied != "" {
		return e.Supplied
	}
	return e.Ref
}

func hashOf(ctx context.Context, ref string, file bool) (string, error) {
	if file {
		return fsutil.FileSHA256(ref)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, ref, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("downloading: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("downloading: %s", resp.Status)
	}
	h := sha256.New()
	if _, err := io.Copy(h, resp.Body); err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", h.Sum(nil)), nil
}
