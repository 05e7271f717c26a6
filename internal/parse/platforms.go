package parse

import (
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"go.yaml.in/yaml/v3"
)

// Supported are the image platforms Istio's Dockerfiles and Envoy builds exist for.
func Supported() []string { return []string{"linux/amd64", "linux/arm64"} }

// Platforms reads --platforms, else the platforms file (embedded: the
// binary's platforms.yaml, used when file is empty). It refuses a repeated
// or empty list rather than fixing it: a platform named twice is a mistake
// in the input, not a wish. "all" is every platform istio-mab supports.
func Platforms(given, file string, embedded []byte) ([]ocispecs.Platform, error) {
	names := SplitAll([]string{given})
	if slices.Contains(names, "all") {
		if len(names) > 1 {
			return nil, fmt.Errorf("--platforms all names every platform (%s): give it alone", strings.Join(Supported(), ","))
		}
		names = Supported()
	}
	if len(names) == 0 && strings.TrimSpace(given) != "" {
		return nil, fmt.Errorf("--platforms %q names no platform: give e.g. linux/amd64,linux/arm64", given)
	}
	if len(names) == 0 {
		var err error
		if names, err = platformsOf(file, embedded); err != nil {
			return nil, err
		}
	}
	out := make([]ocispecs.Platform, 0, len(names))
	for _, n := range names {
		pl, err := supported(n)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(o ocispecs.Platform) bool { return platforms.Format(o) == platforms.Format(pl) }) {
			return nil, fmt.Errorf("platform %s is listed twice: name each platform once", platforms.Format(pl))
		}
		out = append(out, pl)
	}
	return out, nil
}

// supported parses an image platform; linux/arm64/v8 is linux/arm64.
func supported(n string) (ocispecs.Platform, error) {
	pl, err := platforms.Parse(n)
	if err == nil {
		pl = platforms.Normalize(pl)
		if pl.Architecture == "arm64" && pl.Variant == "v8" {
			pl.Variant = ""
		}
	}
	if err != nil || !slices.Contains(Supported(), platforms.Format(pl)) {
		return pl, fmt.Errorf("unsupported platform %q: istio-mab builds images for %s", n, strings.Join(Supported(), ", "))
	}
	return pl, nil
}

// BuildPlatform reads --build-platform; empty is this machine's.
func BuildPlatform(s string) (ocispecs.Platform, error) {
	if s == "" {
		return platforms.DefaultSpec(), nil
	}
	pl, err := platforms.Parse(s)
	if err != nil {
		return pl, fmt.Errorf("--build-platform %q: want OS/ARCH, e.g. linux/amd64", s)
	}
	return platforms.Normalize(pl), nil
}

// platformsDoc is platforms.yaml, or the --platforms-file replacing it.
type platformsDoc struct {
	Platforms []string          `yaml:"platforms"`
	Builders  map[string]string `yaml:"builders"` // platform -> node address
}

func readPlatformsFile(path string, embedded []byte) (platformsDoc, error) {
	data := embedded
	if path != "" {
		var err error
		if data, err = os.ReadFile(path); err != nil {
			return platformsDoc{}, fmt.Errorf("--platforms-file: %w", err)
		}
	}
	var doc platformsDoc
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return platformsDoc{}, fmt.Errorf("platforms file %s: want \"platforms:\" (a list) and \"builders:\" (PLATFORM: ADDRESS) (%v)", path, err)
	}
	return doc, nil
}

func platformsOf(path string, embedded []byte) ([]string, error) {
	doc, err := readPlatformsFile(path, embedded)
	if err == nil && len(doc.Platforms) == 0 {
		err = fmt.Errorf("platforms file %s: want a YAML list under \"platforms:\"", path)
	}
	return doc.Platforms, err
}
