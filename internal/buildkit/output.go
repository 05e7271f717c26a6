package buildkit

import (
	"bytes"
	"context"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
)

// stdout is the stream number BuildKit gives a step's standard output.
const stdout = 1

// Output solves def and returns what its steps wrote to standard output.
// It runs a command in an image to check the image, say its binary's
// version on each platform: the step must not be cached (llb.IgnoreCache),
// or BuildKit replays no output.
func (c *Client) Output(ctx context.Context, def *llb.Definition) ([]byte, error) {
	opt, err := withSession(client.SolveOpt{}, nil)
	if err != nil {
		return nil, err
	}
	ch := make(chan *client.SolveStatus)
	var out bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		for s := range ch {
			for _, l := range s.Logs {
				if l.Stream == stdout {
					out.Write(l.Data)
				}
			}
		}
	}()
	_, err = c.c.Solve(ctx, def, opt, ch)
	<-done
	if err != nil {
		return nil, c.lost(ctx, "a run", err)
	}
	return out.Bytes(), nil
}
