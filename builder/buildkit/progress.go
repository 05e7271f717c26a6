package buildkit

import (
	"context"
	"io"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
)

// Progress shows every concurrent solve of a run in one BuildKit display.
type Progress struct {
	all     chan *client.SolveStatus
	solves  sync.WaitGroup
	done    chan struct{}
	showErr error
}

// Modes are the accepted --progress values, as buildx.
var Modes = []string{"auto", "tty", "plain", "rawjson", "quiet"}

// NewProgress starts a display writing to out in the given mode.
func NewProgress(ctx context.Context, out io.Writer, mode string) (*Progress, error) {
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(mode))
	if err != nil {
		return nil, err
	}
	p := &Progress{all: make(chan *client.SolveStatus), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		// The display must drain p.all even after ctx ends, or solves block.
		_, p.showErr = d.UpdateFrom(context.WithoutCancel(ctx), p.all)
	}()
	return p, nil
}

// channel returns a channel for one solve; the solve closes it when done.
func (p *Progress) channel() chan *client.SolveStatus {
	ch := make(chan *client.SolveStatus)
	p.solves.Add(1)
	go func() {
		defer p.solves.Done()
		for s := range ch {
			p.all <- s
		}
	}()
	return ch
}

// Close waits for every solve's updates to be shown.
func (p *Progress) Close() error {
	p.solves.Wait()
	close(p.all)
	<-p.done
	return p.showErr
}
