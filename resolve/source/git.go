package source

import (
	"context"
	"fmt"
	"strings"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
)

// TreeReader reads a git source through a BuildKit node, which is what
// fetches it for the build too.
type TreeReader interface {
	ResolveGit(ctx context.Context, st llb.State) (commit string, object []byte, err error)
	ReadFiles(ctx context.Context, st llb.State, locals map[string]string, fn func(read func(path string) ([]byte, error)) error) error
}

// GitFacts resolves a git source's tag to a commit and reads the facts the
// plan needs from the tree at that commit, checking the recipe's layout.
func GitFacts(ctx context.Context, r TreeReader, src plan.Source, version string, layout Layout) (plan.Facts, error) {
	facts := plan.Facts{Version: version}
	commit, object, err := r.ResolveGit(ctx, State(src, ""))
	if err != nil {
		return plan.Facts{}, noTag(src, err)
	}
	facts.Commit, facts.Committed = commit, true
	if facts.CommitTime, err = CommitTime(object); err != nil {
		return plan.Facts{}, err
	}
	var factsErr error // ours, returned without BuildKit's wrapping
	err = r.ReadFiles(ctx, State(src, commit), nil, func(read func(string) ([]byte, error)) error {
		factsErr = ReadFacts(read, &facts, layout)
		return factsErr
	})
	if factsErr != nil {
		return plan.Facts{}, factsErr
	}
	if err != nil {
		return plan.Facts{}, fmt.Errorf("reading Istio %s from %s: %w", version, plan.Redact(src.GitURL), err)
	}
	return facts, nil
}

func noTag(src plan.Source, err error) error {
	tag := strings.TrimPrefix(src.Ref, "refs/tags/")
	if strings.Contains(err.Error(), "does not contain ref") {
		return fmt.Errorf("no tag %s in %s: check --version, or point --source at a repository that has it", tag, plan.Redact(src.GitURL))
	}
	cause := strings.Join(strings.Fields(err.Error()), " ") // git's stderr spans lines
	return fmt.Errorf("resolving tag %s in %s: %s: check that --source is reachable from the BuildKit daemon", tag, plan.Redact(src.GitURL), cause)
}
