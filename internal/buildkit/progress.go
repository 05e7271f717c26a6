package buildkit

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	digest "github.com/opencontainers/go-digest"
)

// Progress shows every concurrent solve of a run in one BuildKit display.
type Progress struct {
	secrets []string // scrubbed from everything shown
	all     chan *client.SolveStatus
	solves  sync.WaitGroup
	done    chan struct{}
	showErr error
}

// Modes are the accepted --progress values, as buildx.
var Modes = []string{"auto", "tty", "plain", "rawjson", "quiet"}

// NewProgress starts a display writing to out in the given mode. secrets
// (see plan.Secrets) are replaced in everything shown: BuildKit prints the
// URLs it fetches verbatim.
func NewProgress(ctx context.Context, out io.Writer, mode string, secrets []string) (*Progress, error) {
	d, err := progressui.NewDisplay(out, progressui.DisplayMode(mode))
	if err != nil {
		return nil, err
	}
	p := &Progress{secrets: secrets, all: make(chan *client.SolveStatus), done: make(chan struct{})}
	go func() {
		defer close(p.done)
		// The display must drain p.all even after ctx ends, or solves block.
		_, p.showErr = d.UpdateFrom(context.WithoutCancel(ctx), p.all)
	}()
	return p, nil
}

// channel returns a channel for one solve; the solve closes it when done.
// A nil Progress shows nothing.
func (p *Progress) channel() chan *client.SolveStatus {
	if p == nil {
		return nil
	}
	ch := make(chan *client.SolveStatus)
	p.solves.Add(1)
	go func() {
		defer p.solves.Done()
		for s := range ch {
			p.all <- p.scrub(s)
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

// Step shows one of istio-mab's own steps (verifying, publishing, archiving)
// as a vertex in the same display as BuildKit's; call done when it ends.
func (p *Progress) Step(name string) (done func(error)) {
	if p == nil {
		return func(error) {}
	}
	// Sent directly, not through a forwarding goroutine, so steps show in order.
	ch := p.all
	start := time.Now()
	d := digest.FromString(fmt.Sprintf("istio-mab %s %d", name, start.UnixNano()))
	ch <- &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: d, Name: name, Started: &start}}}
	return func(err error) {
		end := time.Now()
		v := &client.Vertex{Digest: d, Name: name, Started: &start, Completed: &end}
		if err != nil {
			v.Error = err.Error()
		}
		ch <- &client.SolveStatus{Vertexes: []*client.Vertex{v}}
	}
}

func (p *Progress) scrub(s *client.SolveStatus) *client.SolveStatus {
	if len(p.secrets) == 0 {
		return s
	}
	for _, v := range s.Vertexes {
		v.Name, v.Error = plan.Scrub(v.Name, p.secrets), plan.Scrub(v.Error, p.secrets)
	}
	for _, l := range s.Logs {
		l.Data = []byte(plan.Scrub(string(l.Data), p.secrets))
	}
	for _, st := range s.Statuses {
		st.ID, st.Name = plan.Scrub(st.ID, p.secrets), plan.Scrub(st.Name, p.secrets)
	}
	for _, w := range s.Warnings {
		w.Short = []byte(plan.Scrub(string(w.Short), p.secrets))
	}
	return s
}
