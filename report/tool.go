package report

import "runtime/debug"

const buildkitModule = "github.com/moby/buildkit"

// ToolOf is the istio-mab info describes: its version and commit as a
// release build stamped them (stamped first, when set) or as the go command
// recorded them, and its BuildKit client's version; "unknown" where nothing
// recorded them. info is nil for a binary built without module support.
func ToolOf(info *debug.BuildInfo, version, commit string) (tool Tool, buildkit string) {
	buildkit = "unknown"
	if info != nil {
		if version == "" {
			version = info.Main.Version
		}
		if commit == "" {
			commit = vcsCommit(info)
		}
		for _, dep := range info.Deps {
			if dep.Path == buildkitModule {
				buildkit = dep.Version
			}
		}
	}
	return Tool{Version: orUnknown(version), Commit: orUnknown(commit)}, buildkit
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
