package parse

import (
	"bytes"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"

	"github.com/istio-mab/istio-mab/plan"
)

const envoyUsage = "want PLATFORM=SOURCE, e.g. --envoy linux/arm64=https://example.com/envoy-alpha-SHA-arm64.tar.gz, =./envoy, or =registry.example.com/istio/proxyv2:1.14.3"

// Envoys reads --envoy PLATFORM=SOURCE: a URL, an existing file, or an image reference.
func Envoys(entries []string) (map[string]plan.Envoy, error) {
	out := map[string]plan.Envoy{}
	for _, e := range SplitAll(entries) {
		key, val, err := platformPair("--envoy", e, envoyUsage)
		if err != nil {
			return nil, err
		}
		env, err := envoySource(val)
		if err != nil {
			return nil, fmt.Errorf("--envoy %s: %w", e, err)
		}
		out[key] = env
	}
	return out, nil
}

func envoySource(val string) (plan.Envoy, error) {
	if strings.HasPrefix(val, "https://") || strings.HasPrefix(val, "http://") {
		return plan.Envoy{Kind: plan.EnvoyURL, Ref: val, Tarball: isTarballURL(val)}, nil
	}
	if st, err := os.Stat(val); err == nil && st.Mode().IsRegular() {
		abs, err := filepath.Abs(val)
		if err != nil {
			return plan.Envoy{}, err
		}
		gz, err := isGzip(abs)
		return plan.Envoy{Kind: plan.EnvoyFile, Ref: abs, Tarball: gz}, err
	}
	if strings.HasPrefix(val, "/") || strings.HasPrefix(val, ".") {
		return plan.Envoy{}, fmt.Errorf("no such file %s", val)
	}
	if _, err := name.ParseReference(val); err != nil {
		return plan.Envoy{}, fmt.Errorf("neither a URL, an existing file, nor an image reference")
	}
	return plan.Envoy{Kind: plan.EnvoyImage, Ref: val}, nil
}

// isTarballURL looks at the path only: signed URLs end in a query.
func isTarballURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	return strings.HasSuffix(u.Path, ".tar.gz") || strings.HasSuffix(u.Path, ".tgz")
}

func isGzip(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	magic := make([]byte, 2)
	n, _ := f.Read(magic)
	return bytes.Equal(magic[:n], []byte{0x1f, 0x8b}), nil
}

var sha256Hex = regexp.MustCompile(`^[0-9a-f]{64}$`)

// Pins reads --envoy-sha256 PLATFORM=HEX.
func Pins(entries []string) (map[string]string, error) {
	out := map[string]string{}
	for _, e := range SplitAll(entries) {
		key, val, err := platformPair("--envoy-sha256", e, "want PLATFORM=HEX, e.g. --envoy-sha256 linux/arm64=<64 hex digits>")
		if err != nil {
			return nil, err
		}
		val = strings.TrimPrefix(strings.ToLower(val), "sha256:")
		if !sha256Hex.MatchString(val) {
			return nil, fmt.Errorf("--envoy-sha256 %s: not a sha256 (64 hex digits)", e)
		}
		out[key] = val
	}
	return out, nil
}

func platformPair(flag, entry, usage string) (string, string, error) {
	key, val, ok := strings.Cut(entry, "=")
	pl, err := platforms.Parse(key)
	if !ok || err != nil || val == "" {
		return "", "", fmt.Errorf("%s %q: %s", flag, entry, usage)
	}
	return platforms.Format(pl), val, nil
}
