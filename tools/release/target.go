package main

import (
	"fmt"
	"strings"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// target is one GOOS/GOARCH the CLI is released for.
type target struct{ os, arch string }

// allTargets are the release's platforms, as goreleaser's defaults and
// crane's and ko's releases cover them.
var allTargets = []target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

func (t target) String() string { return t.os + "/" + t.arch }

func (t target) platform() ocispecs.Platform {
	return ocispecs.Platform{OS: t.os, Architecture: t.arch}
}

// binary is the executable's name inside the archive.
func (t target) binary() string {
	if t.os == "windows" {
		return "istio-mab.exe"
	}
	return "istio-mab"
}

// archive is goreleaser's default name: istio-mab_<version without v>_<os>_<arch>,
// a zip on windows and a tar.gz elsewhere.
func (t target) archive(version string) string {
	ext := ".tar.gz"
	if t.os == "windows" {
		ext = ".zip"
	}
	return fmt.Sprintf("istio-mab_%s_%s_%s%s", strings.TrimPrefix(version, "v"), t.os, t.arch, ext)
}

// parseTargets reads a comma-separated list of GOOS/GOARCH, each one of allTargets.
func parseTargets(s string) ([]target, error) {
	var out []target
	for _, f := range strings.Split(s, ",") {
		t, ok := findTarget(strings.TrimSpace(f))
		if !ok {
			return nil, fmt.Errorf("target %q: want one of %s", f, targetList())
		}
		out = append(out, t)
	}
	return out, nil
}

func findTarget(s string) (target, bool) {
	for _, t := range allTargets {
		if t.String() == s {
			return t, true
		}
	}
	return target{}, false
}

func targetList() string {
	names := make([]string, len(allTargets))
	for i, t := range allTargets {
		names[i] = t.String()
	}
	return strings.Join(names, ",")
}
