package source

import (
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
)

// LocalName is the session name of a directory source.
const LocalName = "istio-source"

// State is the source tree. A git source is pinned to the resolved commit so
// every solve of one run sees the same tree even if the tag moves meanwhile.
//
// Its files keep BuildKit's default mtime, the checkout's, never the
// commit's: BuildKit's cache ignores mtimes, so a Dockerfile COPY of a file
// another release has too reuses that release's layer, and the export's
// rewrite-timestamp clamps only times after SOURCE_DATE_EPOCH. An older
// release's commit time would survive in the layer, making the digest
// depend on what the builder built before; a checkout time is always
// clamped to this commit's time, fresh or reused.
func State(s plan.Source, commit string) llb.State {
	if s.Dir != "" {
		return llb.Local(LocalName, llb.ExcludePatterns([]string{".git", "out"}), llb.SharedKeyHint(s.Dir))
	}
	opts := []llb.GitOption{llb.GitRef(s.Ref)}
	if commit != "" {
		opts = append(opts, llb.GitChecksum(commit))
	}
	return llb.Git(s.GitURL, "", opts...)
}
