package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/istio-mab/istio-mab/report"
)

// version and commit are set by release builds:
// -ldflags "-X main.version=v1.2.3 -X main.commit=<sha>". Otherwise they
// come from the build info the go command records.
var (
	version = ""
	commit  = ""
)

const buildkitModule = "github.com/moby/buildkit"

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print istio-mab's version and commit, its Go version and its BuildKit client version",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, _ := debug.ReadBuildInfo()
			for _, line := range versionLines(info) {
				fmt.Fprintln(cmd.OutOrStdout(), line)
			}
			return nil
		},
	}
}

// versionLines reads what the go command recorded; info is nil for a
// binary built without module support.
func versionLines(info *debug.BuildInfo) []string {
	v := versionInfo(info)
	return []string{
		"istio-mab: " + v.version,
		"commit:    " + v.commit,
		"go:        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"buildkit:  " + v.buildkit + " (client)",
	}
}

type versions struct{ version, commit, buildkit string }

// versionInfo is istio-mab's own version and commit and its BuildKit
// client's version, "unknown" where nothing recorded them.
func versionInfo(info *debug.BuildInfo) versions {
	v, c, bk := version, commit, "unknown"
	if info != nil {
		if v == "" {
			v = info.Main.Version
		}
		if c == "" {
			c = vcsCommit(info)
		}
		for _, dep := range info.Deps {
			if dep.Path == buildkitModule {
				bk = dep.Version
			}
		}
	}
	return versions{orUnknown(v), orUnknown(c), bk}
}

func vcsCommit(info *debug.BuildInfo) string {
	var rev, dirty string
	for _, s := range info.Settings {
		switch {
		case s.Key == "vcs.revision":
			rev = s.Value
		case s.Key == "vcs.modified" && s.Value == "true":
			dirty = " (modified)"
		}
	}
	if rev == "" {
		return ""
	}
	return rev + dirty
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// toolVersion is this binary's version and commit, for the reports it writes.
func toolVersion() report.Tool {
	info, _ := debug.ReadBuildInfo()
	v := versionInfo(info)
	return report.Tool{Version: v.version, Commit: v.commit}
}
