package run

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
)

// raceErr is what BuildKit reported in CI when pilot and pilot-debug were
// pushed at once to a distribution registry.
var raceErr = errors.New(`failed to solve: failed to push 127.0.0.1:46327/e2e/istio/pilot: errors:
unknown: provided digest did not match uploaded content
unknown: blob unknown to registry - sha256:c8aaa5c56e1ae57dd5fbc5bd13fdde6e6ab360c8cd5445dbab622ec9a1d8a128`)

func TestPushRaceTellsTheRegistryRaceFromOtherFailures(t *testing.T) {
	for msg, want := range map[string]bool{
		raceErr.Error(): true,
		"failed to push r/pilot: errors:\nunknown: blob unknown to registry - sha256:ab": true,
		"failed to push r/pilot: errors:\nmanifest invalid: manifest invalid":            false,
		"failed to push r/pilot: 403 Forbidden":                                          false,
		"process \"go build\" did not complete successfully: exit code: 1":               false,
		// the same words from a pull are no push race
		"failed to resolve source metadata: blob unknown to registry": false,
	} {
		if got := pushRace(errors.New(msg)); got != want {
			t.Errorf("pushRace(%q) = %v, want %v", msg, got, want)
		}
	}
}

// failingSolver fails its first failures image solves with err.
type failingSolver struct {
	Solver
	err      error
	failures int
	solves   int
}

func (f *failingSolver) Solve(context.Context, *llb.Definition, client.SolveOpt, map[string]string) (map[string]string, error) {
	f.solves++
	if f.solves <= f.failures {
		return nil, f.err
	}
	return map[string]string{"ok": "1"}, nil
}

// steps records the steps a run reports.
type steps struct {
	mu    sync.Mutex
	names []string
}

func (s *steps) Step(name string) func(error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names = append(s.names, name)
	return func(error) {}
}

func TestSolveImageSolvesAgainOnlyAfterAPushRace(t *testing.T) {
	defer func(b func(int) time.Duration) { pushRaceBackoff = b }(pushRaceBackoff)
	pushRaceBackoff = func(int) time.Duration { return 0 }
	other := errors.New("failed to push r/pilot: 403 Forbidden")
	for _, c := range []struct {
		name             string
		err              error
		failures, solves int
		ok               bool
	}{
		{"race once", raceErr, 1, 2, true},
		{"race twice", raceErr, 2, 3, true},
		{"race every time", raceErr, 5, pushTries, false},
		{"other failure", other, 1, 1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			node := &failingSolver{err: c.err, failures: c.failures}
			rep := &steps{}
			r := runner{solvers: Solvers{"n": node}, s: Settings{Progress: rep}}
			resp, err := r.solveImage(context.Background(), "n", "pilot (debug) for linux/amd64 on n", client.SolveOpt{})
			if node.solves != c.solves || (err == nil) != c.ok {
				t.Fatalf("%d solves, error %v: want %d solves, success %v", node.solves, err, c.solves, c.ok)
			}
			if c.ok && resp["ok"] != "1" {
				t.Errorf("response %v is not the last solve's", resp)
			}
			if !c.ok && err != c.err {
				t.Errorf("error %v, want the solve's own %v", err, c.err)
			}
			if len(rep.names) != c.solves-1 {
				t.Errorf("reported %q, want one step per solve again", rep.names)
			}
			for _, n := range rep.names {
				if !strings.Contains(n, "push pilot (debug) for linux/amd64 on n again") {
					t.Errorf("step %q does not name the image pushed again", n)
				}
			}
		})
	}
}
