package lifecycle

// The stack's lifecycle: `make up` reuses what runs, `make down` stops exactly
// what it started, and `make up` brings it back with its state. It leaves the
// stack up, whatever fails, for whatever runs on it afterwards.

import (
	"bufio"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/internal/registry"
)

func TestStackLifecycle(t *testing.T) {
	st := e2etest.LoadStack(t)
	root := e2etest.RepoRoot(t)
	before := readPids(t, st.Dir)
	if len(before) == 0 {
		t.Fatalf("no *.pid files in %s: is the stack up?", st.Dir)
	}

	t.Run("up again reuses what runs", func(t *testing.T) {
		if took := runMake(t, root, "up"); took > 30*time.Second {
			t.Errorf("idempotent `make up` took %v, want < 30s", took)
		}
		if after := readPids(t, st.Dir); !maps.Equal(before, after) {
			t.Errorf("`make up` on a running stack changed pids: before %v, after %v", before, after)
		}
	})

	upAgain := false
	t.Cleanup(func() {
		if !upAgain { // whatever failed, leave the stack up for later tests
			out, err := exec.Command("make", "-C", root, "up").CombinedOutput()
			if err != nil {
				t.Errorf("restoring the stack: %v\n%s", err, out)
			}
			refreshEnv(t, st.Dir)
		}
	})

	t.Run("down stops every recorded process", func(t *testing.T) {
		runMake(t, root, "down")
		for name, pid := range before {
			if processAlive(pid) {
				t.Errorf("%s (pid %d) still runs after `make down`", name, pid)
			}
		}
		if left := readPids(t, st.Dir); len(left) != 0 {
			t.Errorf("pid files left after `make down`: %v", left)
		}
		if resp, err := http.Get("http://" + st.Registry + "/v2/"); err == nil {
			resp.Body.Close()
			t.Errorf("registry %s still answers after `make down`", st.Registry)
		}
	})

	t.Run("up restarts with state kept", func(t *testing.T) {
		runMake(t, root, "up")
		upAgain = true
		for name, pid := range readPids(t, st.Dir) {
			if !processAlive(pid) {
				t.Errorf("%s (pid %d) is not running after `make up`", name, pid)
			}
		}
		// The file server's port may have changed: later tests in this
		// process must see the new endpoints.
		refreshEnv(t, st.Dir)
		checkEndpointsAfterRestart(t, e2etest.LoadStack(t))
	})
}

// checkEndpointsAfterRestart asserts the restarted stack serves what the
// earlier one did: the registry kept its seeded images.
func checkEndpointsAfterRestart(t *testing.T, st e2etest.Stack) {
	t.Helper()
	if status, _ := e2etest.HTTPGet(t, "http://"+st.Registry+"/v2/"); status != http.StatusOK {
		t.Errorf("registry /v2/ answered %d after restart", status)
	}
	rel := e2etest.FixtureReleases(t)[0]
	ref, err := name.NewTag(fmt.Sprintf("%s/%s:%s", st.BaseRegistry, fixture.BaseImages[0], rel.BaseVersion), name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	a := e2etest.NewAccess(t, registry.WithInsecure(st.Registry))
	if _, err := remote.Index(ref, a.Remote(t.Context())...); err != nil {
		t.Errorf("seeded %s is gone after restart: %v", ref, err)
	}
	tarball := st.EnvoyBaseURL + "/" + fixture.EnvoyTarball(rel.ProxySHA, "amd64")
	if status, _ := e2etest.HTTPGet(t, tarball); status != http.StatusOK {
		t.Errorf("GET %s answered %d after restart", tarball, status)
	}
	e2etest.GitOutput(t, "", "ls-remote", st.GitURL)
	if _, err := e2etest.BuildkitClient(t).ListWorkers(t.Context()); err != nil {
		t.Errorf("buildkitd does not answer after restart: %v", err)
	}
}

// runMake runs `make -C root target`, failing the test on error, and
// returns how long it took.
func runMake(t *testing.T, root, target string) time.Duration {
	t.Helper()
	start := time.Now()
	out, err := exec.CommandContext(t.Context(), "make", "-C", root, target).CombinedOutput()
	took := time.Since(start)
	if err != nil {
		t.Fatalf("make %s: %v\n%s", target, err, out)
	}
	t.Logf("make %s took %v", target, took.Round(time.Millisecond))
	return took
}

// readPids maps each STACK_DIR/NAME.pid to its pid.
func readPids(t *testing.T, dir string) map[string]int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pids := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		pids[strings.TrimSuffix(filepath.Base(f), ".pid")] = pid
	}
	return pids
}

// processAlive is kill(pid, 0): EPERM still means the process exists.
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// refreshEnv sets this process's environment from STACK_DIR/env, as
// `make test` exported it, so e2etest.LoadStack sees endpoints after a restart.
func refreshEnv(t *testing.T, dir string) {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "env"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), "=")
		if !ok || k == "" {
			continue
		}
		// Not t.Setenv: the new endpoints must outlive this test.
		if err := os.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
}
