package source

import (
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/moby/buildkit/client/llb"
)

// LocalName is the session name of a directory source.
const LocalName = "istio-source"

// State is the source tree. A git source is pinned to the resolved commit so
// every solve of one run sees the same tree even if the tag moves meanwhile.
func State(s plan.Source, commit string) llb.State {
	if s.Dir != "" {
		return llb.Local(LocalName, llb.ExcludePatterns([]string{".git", "out"}), llb.SharedKeyHint(s.Dir))
	}
	opts := []llb.GitOption{llb.GitRef(s.Ref), llb.GitMTimeCommit()}
	if commit != "" {
		opts = append(opts, llb.GitChecksum(commit))
	}
	return llb.Git(s.GitURL, "", opts...)
}
