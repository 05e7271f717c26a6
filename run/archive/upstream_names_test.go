package archive

import (
	"fmt"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/containerd/platforms"
)

// UpstreamPlatforms returns the platforms upstream publishes istioctl for.
func UpstreamPlatforms() []ocispecs.Platform {
	return []ocispecs.Platform{
		{OS: "linux", Architecture: "amd64"},
		{OS: "linux", Architecture: "arm64"},
		{OS: "linux", Architecture: "arm", Variant: "v7"},
		{OS: "darwin", Architecture: "amd64"},
		{OS: "darwin", Architecture: "arm64"},
		{OS: "windows", Architecture: "amd64"},
	}
}

// DefaultNames returns upstream's archive names for istioctl version on p.
// amd64Aliases adds the -osx-amd64 and -win-amd64 names upstream publishes
// from 1.19 on, next to the old names; the release line's recipe decides.
func DefaultNames(version string, p ocispecs.Platform, amd64Aliases bool) ([]string, error) {
	if version == "" {
		return nil, fmt.Errorf("naming istioctl archives: empty version")
	}
	suffixes := upstreamSuffixes(p, amd64Aliases)
	if suffixes == nil {
		return nil, fmt.Errorf("naming istioctl archives: upstream publishes none for %s", p)
	}
	names := make([]string, len(suffixes))
	for i, s := range suffixes {
		names[i] = "istioctl-" + version + "-" + s
	}
	return names, nil
}

func upstreamSuffixes(p ocispecs.Platform, amd64Aliases bool) []string {
	switch platforms.Format(p) {
	case "linux/amd64":
		return []string{"linux-amd64.tar.gz"}
	case "linux/arm64":
		return []string{"linux-arm64.tar.gz"}
	case "linux/arm/v7":
		return []string{"linux-armv7.tar.gz"}
	case "darwin/amd64":
		if amd64Aliases {
			return []string{"osx.tar.gz", "osx-amd64.tar.gz"}
		}
		return []string{"osx.tar.gz"}
	case "darwin/arm64":
		return []string{"osx-arm64.tar.gz"}
	case "windows/amd64":
		if amd64Aliases {
			return []string{"win.zip", "win-amd64.zip"}
		}
		return []string{"win.zip"}
	}
	return nil
}

// Defaults returns upstream's archives for binaries, in the order given:
// one per name DefaultNames gives for each binary's platform.
func Defaults(version string, binaries []Binary, amd64Aliases bool) ([]Archive, error) {
	var archives []Archive
	for _, b := range binaries {
		names, err := DefaultNames(version, b.Platform, amd64Aliases)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			archives = append(archives, Archive{Name: n, Binary: b})
		}
	}
	return archives, nil
}
