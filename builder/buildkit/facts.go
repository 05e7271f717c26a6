package buildkit

import (
	"context"
	"fmt"
	"strings"

	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/istio-mab/istio-mab/builder/source"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
)

// ReadFacts resolves a git source's tag to a commit and reads the facts the
// plan needs from the tree at that commit, checking the recipe's layout.
func (c *Client) ReadFacts(ctx context.Context, src plan.Source, version string, layout source.Layout, p *Progress) (plan.Facts, error) {
	facts := plan.Facts{Version: version}
	var factsErr error // ours, returned without BuildKit's "failed to solve" wrapping
	_, err := c.c.Build(ctx, client.SolveOpt{Session: attachables()}, "istio-mab", func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		if facts.Commit, facts.CommitTime, factsErr = resolveCommit(ctx, gw, src); factsErr != nil {
			return nil, factsErr
		}
		factsErr = readTree(ctx, gw, src, &facts, layout)
		return nil, factsErr
	}, p.channel())
	if factsErr != nil {
		return plan.Facts{}, factsErr
	}
	if err != nil {
		return plan.Facts{}, fmt.Errorf("reading Istio %s from %s: %w", version, plan.Redact(src.GitURL), err)
	}
	return facts, nil
}

func resolveCommit(ctx context.Context, gw gateway.Client, src plan.Source) (string, int64, error) {
	op, err := sourceOp(ctx, source.State(src, ""))
	if err != nil {
		return "", 0, err
	}
	md, err := gw.ResolveSourceMetadata(ctx, op, sourceresolver.Opt{GitOpt: &sourceresolver.ResolveGitOpt{ReturnObject: true}})
	if err != nil {
		return "", 0, noTag(src, err)
	}
	if md.Git == nil || md.Git.Checksum == "" {
		return "", 0, noTag(src, fmt.Errorf("no commit"))
	}
	// Checksum is the tag object for annotated tags, the commit for lightweight ones.
	commit := md.Git.CommitChecksum
	if commit == "" {
		commit = md.Git.Checksum
	}
	t, err := source.CommitTime(md.Git.CommitObject)
	return commit, t, err
}

func noTag(src plan.Source, err error) error {
	tag := strings.TrimPrefix(src.Ref, "refs/tags/")
	if strings.Contains(err.Error(), "does not contain ref") {
		return fmt.Errorf("no tag %s in %s: check --version, or point --source at a repository that has it", tag, plan.Redact(src.GitURL))
	}
	cause := strings.Join(strings.Fields(rootCause(err).Error()), " ") // git's stderr spans lines
	return fmt.Errorf("resolving tag %s in %s: %s: check that --source is reachable from the BuildKit daemon", tag, plan.Redact(src.GitURL), cause)
}

func readTree(ctx context.Context, gw gateway.Client, src plan.Source, facts *plan.Facts, layout source.Layout) error {
	def, err := source.State(src, facts.Commit).Marshal(ctx)
	if err != nil {
		return err
	}
	res, err := gw.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB()})
	if err != nil {
		return err
	}
	ref, err := res.SingleRef()
	if err != nil {
		return err
	}
	read := func(name string) ([]byte, error) {
		return ref.ReadFile(ctx, gateway.ReadRequest{Filename: name})
	}
	return source.ReadFacts(read, facts, layout)
}

// sourceOp extracts the single source op of a state, for metadata resolution.
func sourceOp(ctx context.Context, st llb.State) (*pb.SourceOp, error) {
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range def.ToPB().Def {
		var op pb.Op
		if err := op.Unmarshal(d); err != nil {
			return nil, err
		}
		if s := op.GetSource(); s != nil {
			return s, nil
		}
	}
	return nil, fmt.Errorf("source state has no source op")
}
