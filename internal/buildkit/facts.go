package buildkit

import (
	"context"
	"fmt"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/client/llb/sourceresolver"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/solver/pb"
)

// ResolveGit resolves the git source st to its commit, and returns the raw
// commit object (for its committer time).
func (c *Client) ResolveGit(ctx context.Context, st llb.State) (commit string, object []byte, err error) {
	op, err := sourceOp(ctx, st)
	if err != nil {
		return "", nil, err
	}
	err = c.build(ctx, func(ctx context.Context, gw gateway.Client) error {
		md, err := gw.ResolveSourceMetadata(ctx, op, sourceresolver.Opt{GitOpt: &sourceresolver.ResolveGitOpt{ReturnObject: true}})
		if err != nil {
			return rootCause(err) // git's own message, without gRPC's wrapping
		}
		if md.Git == nil || md.Git.Checksum == "" {
			return fmt.Errorf("no commit")
		}
		// Checksum is the tag object for annotated tags, the commit for lightweight ones.
		commit, object = md.Git.CommitChecksum, md.Git.CommitObject
		if commit == "" {
			commit = md.Git.Checksum
		}
		return nil
	})
	return commit, object, err
}

// ReadFiles solves st, sharing locals as Solve does, and lets fn read files
// of the result by path.
func (c *Client) ReadFiles(ctx context.Context, st llb.State, locals map[string]string, fn func(read func(path string) ([]byte, error)) error) error {
	def, err := st.Marshal(ctx)
	if err != nil {
		return err
	}
	mounts, err := localMounts(locals)
	if err != nil {
		return err
	}
	return c.buildWith(ctx, client.SolveOpt{LocalMounts: mounts}, func(ctx context.Context, gw gateway.Client) error {
		res, err := gw.Solve(ctx, gateway.SolveRequest{Definition: def.ToPB()})
		if err != nil {
			return err
		}
		ref, err := res.SingleRef()
		if err != nil {
			return err
		}
		return fn(func(name string) ([]byte, error) {
			return ref.ReadFile(ctx, gateway.ReadRequest{Filename: name})
		})
	})
}

// build runs fn in a gateway session; fn's own error is returned as is,
// without BuildKit's "failed to solve" wrapping.
func (c *Client) build(ctx context.Context, fn func(context.Context, gateway.Client) error) error {
	return c.buildWith(ctx, client.SolveOpt{}, fn)
}

func (c *Client) buildWith(ctx context.Context, opt client.SolveOpt, fn func(context.Context, gateway.Client) error) error {
	var fnErr error
	opt.Session = append(opt.Session, attachables()...)
	_, err := c.c.Build(ctx, opt, "istio-mab", func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		fnErr = fn(ctx, gw)
		return nil, fnErr
	}, c.prog.channel())
	if fnErr != nil {
		return fnErr
	}
	return err
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
