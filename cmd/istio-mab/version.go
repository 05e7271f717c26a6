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
	tool, buildkit := report.ToolOf(info, version, commit)
	return []string{
		"istio-mab: " + tool.Version,
		"commit:    " + tool.Commit,
		"go:        " + runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH,
		"buildkit:  " + buildkit + " (client)",
	}
}

// toolVersion is this binary's version and commit, for the reports it writes.
func toolVersion() report.Tool {
	info, _ := debug.ReadBuildInfo()
	tool, _ := report.ToolOf(info, version, commit)
	return tool
}
