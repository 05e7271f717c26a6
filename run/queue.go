package run

import (
	"context"
	"slices"
	"sync"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"golang.org/x/sync/errgroup"
)

// compileQueue starts one node's compiles in the order given, at most jobs
// at once and one per platform: compiles of a platform share its locked Go
// build cache (compile.BuildCacheID), so a second would only wait in
// BuildKit holding a slot, and once the first has filled the cache with the
// packages they share (client-go, grpc, ...) the next compiles only its own.
type compileQueue struct {
	mu      sync.Mutex
	wake    *sync.Cond
	bins    []plan.Binary
	pending []int // indexes into bins
	jobs    int
	running int
	busy    map[string]bool // platforms with a compile running
}

// runCompiles runs fn for each of idx (indexes into bins) as compileQueue
// allows; the first error stops it. fn may call compiled once its go build
// has ended, to free its slot while it still exports the binary.
func runCompiles(ctx context.Context, bins []plan.Binary, idx []int, jobs int, fn func(ctx context.Context, i int, compiled func()) error) error {
	q := &compileQueue{bins: bins, pending: slices.Clone(idx), jobs: max(jobs, 1), busy: map[string]bool{}}
	q.wake = sync.NewCond(&q.mu)
	g, ctx := errgroup.WithContext(ctx)
	stop := context.AfterFunc(ctx, q.broadcast)
	defer stop()
	for {
		i, ok := q.next(ctx)
		if !ok {
			break
		}
		free := sync.OnceFunc(func() { q.finish(i) })
		g.Go(func() error {
			defer free()
			return fn(ctx, i, free)
		})
	}
	return g.Wait()
}

// next waits for a free slot and a compile allowed to start, and takes it;
// false once none is left or ctx is done.
func (q *compileQueue) next(ctx context.Context) (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for ctx.Err() == nil && len(q.pending) > 0 {
		if q.running < q.jobs {
			for k, i := range q.pending {
				pl := platforms.Format(q.bins[i].Platform)
				if q.busy[pl] {
					continue
				}
				q.pending = slices.Delete(q.pending, k, k+1)
				q.busy[pl] = true
				q.running++
				return i, true
			}
		}
		q.wake.Wait()
	}
	return 0, false
}

func (q *compileQueue) finish(i int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.running--
	q.busy[platforms.Format(q.bins[i].Platform)] = false
	q.wake.Broadcast()
}

func (q *compileQueue) broadcast() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.wake.Broadcast()
}
