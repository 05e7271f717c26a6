package soak

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// loadRun is one build of a load test and what it left.
type loadRun struct {
	name, version, path string
	seed                map[string]string
	code                int
	wall                time.Duration
	rss                 int64 // bytes, istio-mab's own peak (wait4's ru_maxrss)
	lastLine            string
	moved, problems     []string
}

// TestLoad (SOAK_LOAD=1, under `make soak`): four pilot builds of
// different releases into different hubs at once on the stack's one
// BuildKit node, then two builds of 1.22.0 at once into the same hub and
// tag. Every run ends with a complete list or a clean failure, nothing else
// moves, and each final tag is one complete list; peak RSS and wall are
// reported per run (SOAK_LOAD_OUT, when set, gets the table).
func TestLoad(t *testing.T) {
	if os.Getenv("SOAK_LOAD") == "" {
		t.Skip("SOAK_LOAD is not set: `make soak` runs the load test")
	}
	s := e2etest.LoadStack(t)
	base := "e2e-load-" + e2etest.RandomSuffix(t)
	var runs []*loadRun
	for _, v := range []string{"1.22.0", "1.22.1", "1.22.2", "1.14.3"} {
		runs = append(runs, &loadRun{name: "releases: " + v, version: v, path: base + "/r" + strings.ReplaceAll(v, ".", "-") + "/istio"})
	}
	for i := range 2 {
		runs = append(runs, &loadRun{name: fmt.Sprintf("same tag: %c", 'A'+i), version: "1.22.0", path: base + "/same/istio"})
	}
	var b strings.Builder
	b.WriteString("| run | release | hub path | exit | wall | peak RSS | tags moved | final tags |\n|---|---|---|---|---|---|---|---|\n")
	for _, group := range [][]*loadRun{runs[:4], runs[4:]} {
		for _, r := range group {
			seedLoad(t, s, r)
		}
		concurrently(t, s, group)
		for _, r := range group {
			checkLoad(t, s, r)
			fmt.Fprintf(&b, "| %s | %s | %s | %d | %s | %d MiB | %s | %s |\n", r.name, r.version, r.path, r.code,
				r.wall.Round(time.Second), r.rss>>20, strings.Join(r.moved, ", "), finalState(t, s, r))
		}
	}
	t.Log("\n" + b.String())
	if out := os.Getenv("SOAK_LOAD_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// seedLoad gives the run's tags a previous value; the second run on a
// shared path shares the first's.
func seedLoad(t *testing.T, s e2etest.Stack, r *loadRun) {
	t.Helper()
	before, err := soak.TagsUnder(t.Context(), s.Registry, r.path)
	if err != nil {
		t.Fatal(err)
	}
	if len(before) > 0 {
		r.seed = before
		return
	}
	if r.seed, err = soak.Seed(t.Context(), s.Registry, r.path, "pilot", r.version, r.version+"-debug"); err != nil {
		t.Fatal(err)
	}
}

// concurrently starts every run at once and waits for them all.
func concurrently(t *testing.T, s e2etest.Stack, runs []*loadRun) {
	t.Helper()
	var wg sync.WaitGroup
	for _, r := range runs {
		args := append(e2etest.StackArgs(s, r.version, s.Registry+"/"+r.path, t.TempDir()), "--images", "pilot", "--progress", "plain")
		if r.version == fixture.GoProxyTag { // the release whose module is served by the stack's GOPROXY only
			args = append(args, "--goproxy", s.ModuleProxy)
		}
		wg.Go(func() { r.exec(t, args) })
	}
	wg.Wait()
}

// exec runs istio-mab and records its exit code, wall time and peak RSS.
func (r *loadRun) exec(t *testing.T, args []string) {
	cmd := exec.CommandContext(t.Context(), e2etest.IstioMab(t), args...)
	cmd.Env = e2etest.IstioMabEnv()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	r.wall = time.Since(start)
	if _, isExit := err.(*exec.ExitError); err != nil && !isExit {
		t.Errorf("%s: running istio-mab: %v", r.name, err)
		return
	}
	r.code = cmd.ProcessState.ExitCode()
	r.rss = cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss * 1024
	r.lastLine = lastLine(stderr.String())
	t.Logf("%s: exit %d in %s, peak RSS %d MiB: %s", r.name, r.code, r.wall.Round(time.Second), r.rss>>20, r.lastLine)
}

// checkLoad: a run ends with its tags on complete lists (exit 0) or fails
// with a code that names the failure and moves nothing of its own.
func checkLoad(t *testing.T, s e2etest.Stack, r *loadRun) {
	t.Helper()
	var err error
	if r.moved, r.problems, err = soak.CheckTags(t.Context(), s.Registry, r.path, r.seed); err != nil {
		t.Fatal(err)
	}
	for _, p := range r.problems {
		t.Errorf("%s: %s", r.name, p)
	}
	want := "pilot:" + r.version + ",pilot:" + r.version + "-debug"
	switch {
	case r.code == 0 && strings.Join(r.moved, ",") != want:
		t.Errorf("%s: exit 0 but tags moved %v, want %s", r.name, r.moved, want)
	case r.code != 0 && !strings.Contains(" 3 4 5 6 7 ", fmt.Sprintf(" %d ", r.code)):
		t.Errorf("%s: exit %d does not name the failure: %s", r.name, r.code, r.lastLine)
	}
}

// finalState is where the run's tags point now, read from the registry:
// each a complete list (checked by checkLoad) or the seed.
func finalState(t *testing.T, s e2etest.Stack, r *loadRun) string {
	t.Helper()
	now, err := soak.TagsUnder(t.Context(), s.Registry, r.path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, tag := range []string{"pilot:" + r.version, "pilot:" + r.version + "-debug"} {
		state := "complete list " + short(now[tag])
		if now[tag] == r.seed[tag] {
			state = "unchanged (seed)"
		}
		out = append(out, tag+" → "+state)
	}
	return strings.Join(out, "; ")
}

func short(digest string) string { return digest[:min(len(digest), 19)] }
