package bench

// BenchmarkRealSize builds the real-size fixture's pilot image (and the
// istioctl targets istio-mab compiles with it) four ways, one after another
// on the same buildkitd and registry, in four scenarios each:
//
//	limit      host go build of the same binaries, fresh GOMODCACHE and GOCACHE
//	istio-mab  the CLI against the stack
//	hostcopy   the limit's host build, then a Dockerfile that COPYs the binaries
//	emulated   a Dockerfile whose Go stage runs on the target platform (QEMU for arm64)
//
// Scenarios: cold (BuildKit cache pruned, fresh host caches), noop-warm (the
// same again), noop-fresh (the same again on a new, empty buildkitd), onefile
// (one file of pilot-discovery changed). BENCH_WAYS, BENCH_SCENARIOS and
// BENCH_PLATFORMS (comma-separated) pick a subset; BENCH_OUT names a file
// for the markdown table. `make bench` runs it.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

var benchScenarios = []string{"cold", "noop-warm", "noop-fresh", "onefile"}

func BenchmarkRealSize(b *testing.B) {
	if os.Getenv(realSizeGate) == "" {
		b.Skipf("set %s=1 (make bench does)", realSizeGate)
	}
	s := benchStack(b)
	e := benchEnvironment{
		stack:     s,
		platforms: benchList("BENCH_PLATFORMS", []string{"linux/amd64", "linux/arm64"}),
		goproxy:   goEnv(b, "GOPROXY"),
		meter:     meter{buildkitdPid: readPid(b, filepath.Join(s.Dir, "buildkitd.pid")), registryDir: filepath.Join(s.Dir, "registry", "data")},
		builder:   s.BuildkitHost,
		mab:       istioMabForBench(b),
	}
	scenarios := benchList("BENCH_SCENARIOS", benchScenarios)
	var samples []sample
	for b.Loop() {
		for _, way := range pairLimitWithCopy(benchList("BENCH_WAYS", []string{"limit", "istio-mab", "hostcopy", "emulated"})) {
			e.src, e.dist = benchSource(b, s), b.TempDir()
			samples = append(samples, runWay(b, e, way, scenariosOf(way, scenarios))...)
		}
	}
	table := benchTable(samples)
	b.Log("\n" + table)
	if out := os.Getenv("BENCH_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// scenariosOf lets BENCH_EMULATED_SCENARIOS give the emulated way fewer
// scenarios: each of its arm64 builds compiles under QEMU from scratch.
func scenariosOf(way string, all []string) []string {
	if way == "emulated" {
		return benchList("BENCH_EMULATED_SCENARIOS", all)
	}
	return all
}

// runWay runs one way through the scenarios, in order, so each finds the
// caches the previous one left.
func runWay(b *testing.B, e benchEnvironment, way string, scenarios []string) []sample {
	var out []sample
	hub := e2etest.UniqueHub(e.stack)
	host := newHostBuild(b)
	if scenarios[0] != "cold" {
		// A no-op needs a build before it: make it, unmeasured.
		progressf("%s: first build (not measured) ...", way)
		var s sample
		if oneWay(b, e, way, hub, host, &s); s.err != nil {
			b.Fatalf("%s first build: %v", way, s.err)
		}
	}
	for _, sc := range scenarios {
		s := sample{way: way, scenario: sc}
		env := e
		switch sc {
		case "cold":
			// A repeated cold run needs what the first had: empty host
			// caches, and a hub without lists of these inputs, which
			// istio-mab would otherwise find and not build.
			pruneBuilder(b, e)
			host, hub = newHostBuild(b), e2etest.UniqueHub(e.stack)
		case "noop-fresh":
			if way == "limit" { // (limitAndCopy measures only hostcopy)
				continue // no builder: the host's caches are all it has
			}
			env.builder = freshBuilder(b, e.stack)
		case "onefile":
			changeOneFile(b, e.src)
		}
		progressf("%s %s ...", way, sc)
		if way == limitAndCopy {
			out = append(out, limitThenCopy(b, env, hub, host, sc)...)
			continue
		}
		oneWay(b, env, way, hub, host, &s)
		out = append(out, reported(b, s))
	}
	return out
}

func reported(b *testing.B, s sample) sample {
	if s.err != nil {
		b.Errorf("%s %s: %v", s.way, s.scenario, s.err)
	}
	progressf("%s %s: wall %.1fs cpu %.1fs images pushed at %s last istioctl at %s, %d bytes pushed, peak RSS %s MiB",
		s.way, s.scenario, s.wall.Seconds(), s.cpu.Seconds(), secs(s.pushed), secs(s.lastIstioctl), s.bytesPushed, mib(s))
	return s
}

// limitAndCopy runs the limit and host-build + COPY as one way: hostcopy
// is the limit's host build followed by a COPY solve of its binaries, so
// measuring both from one host build saves a second cold build of an hour.
const limitAndCopy = "limit+hostcopy"

func pairLimitWithCopy(ways []string) []string {
	if !slices.Contains(ways, "limit") || !slices.Contains(ways, "hostcopy") {
		return ways
	}
	var out []string
	for _, w := range ways {
		switch w {
		case "limit":
			out = append(out, limitAndCopy)
		case "hostcopy":
		default:
			out = append(out, w)
		}
	}
	return out
}

// limitThenCopy measures the host build (the limit's sample) and then the
// COPY solve, reported as hostcopy: the host build plus the COPY. On a
// fresh builder only hostcopy is measured: the host has no builder.
func limitThenCopy(b *testing.B, e benchEnvironment, hub string, host *hostBuild, scenario string) []sample {
	limit := sample{way: "limit", scenario: scenario}
	out := b.TempDir()
	if host.run(b, e, out, &limit); limit.err != nil {
		return []sample{reported(b, limit)}
	}
	hostcopy := limit
	hostcopy.way = "hostcopy"
	renameArchDirs(b, out)
	var img sample
	dockerfileRun(b, e, copyDockerfile, out, hub+"/pilot:copy", e.platforms, nil, &img)
	addSample(&hostcopy, img)
	if scenario == "noop-fresh" {
		return []sample{reported(b, hostcopy)}
	}
	return []sample{reported(b, limit), reported(b, hostcopy)}
}

func oneWay(b *testing.B, e benchEnvironment, way, hub string, host *hostBuild, s *sample) {
	switch way {
	case "limit":
		host.run(b, e, b.TempDir(), s)
	case "istio-mab":
		istioMabRun(b, e, hub, s)
	case "hostcopy", limitAndCopy:
		out := b.TempDir()
		if host.run(b, e, out, s); s.err != nil {
			return
		}
		renameArchDirs(b, out)
		var img sample
		dockerfileRun(b, e, copyDockerfile, out, hub+"/pilot:copy", e.platforms, nil, &img)
		addSample(s, img)
	case "emulated":
		for _, pl := range e.platforms {
			var img sample
			args := map[string]string{"GO_IMAGE": goImageFor(b, e, pl), "GOPROXY": e.goproxy}
			dockerfileRun(b, e, emulatedDockerfile, e.src, hub+"/pilot:emulated-"+strings.ReplaceAll(pl, "/", "-"), []string{pl}, args, &img)
			addSample(s, img)
		}
	default:
		b.Fatalf("unknown way %q", way)
	}
}

// addSample adds a later step of the same way: times add up, since the
// steps ran one after another.
func addSample(s *sample, next sample) {
	if next.pushed != 0 {
		s.pushed = s.wall + next.pushed
	}
	s.wall += next.wall
	s.cpu += next.cpu
	s.bytesPushed += next.bytesPushed
	if s.err == nil {
		s.err = next.err
	}
}

// renameArchDirs moves linux_<arch> to <arch>, the TARGETARCH the COPY uses.
func renameArchDirs(b *testing.B, out string) {
	for _, arch := range []string{"amd64", "arm64"} {
		if _, err := os.Stat(filepath.Join(out, "linux_"+arch)); err == nil {
			if err := os.Rename(filepath.Join(out, "linux_"+arch), filepath.Join(out, arch)); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func goImageFor(b *testing.B, e benchEnvironment, platform string) string {
	if platform == "linux/amd64" {
		return e.stack.GoImage
	}
	if platform != "linux/arm64" {
		b.Fatalf("emulated: no Go image for %s", platform)
	}
	version := e.stack.GoImage[strings.LastIndex(e.stack.GoImage, ":")+1:]
	return seedArmGo(b, e.stack.Registry, version)
}

// changeOneFile edits pilot-discovery's main.go, as a developer's one-line fix would.
func changeOneFile(b *testing.B, src string) {
	main := filepath.Join(src, "pilot/cmd/pilot-discovery/main.go")
	data, err := os.ReadFile(main)
	if err != nil {
		b.Fatal(err)
	}
	data = append(data, fmt.Sprintf("\n// changed for the benchmark at %s\n", time.Now().Format(time.RFC3339Nano))...)
	if err := os.WriteFile(main, data, 0o644); err != nil {
		b.Fatal(err)
	}
	benchGit(b, src, "commit", "--quiet", "-am", "one file changed")
}

func pruneBuilder(b *testing.B, e benchEnvironment) {
	if out, err := exec.Command(e.stack.Buildctl, "--addr", e.stack.BuildkitHost, "prune", "--all").CombinedOutput(); err != nil {
		b.Fatalf("buildctl prune: %v\n%s", err, out)
	}
}

// benchSource is a clone of the real-size tag from the stack's git daemon:
// a checkout, as istio-mab's up-to-date check needs (a plain directory is
// never up to date), that "one file changed" can commit to.
func benchSource(b *testing.B, s e2etest.Stack) string {
	dst := filepath.Join(b.TempDir(), "istio")
	benchGit(b, "", "clone", "--quiet", "--branch", fixture.RealSizeTag, s.GitURL, dst)
	return dst
}

func benchGit(b *testing.B, dir string, args ...string) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_AUTHOR_NAME=bench", "GIT_AUTHOR_EMAIL=bench@istio-mab.invalid",
		"GIT_COMMITTER_NAME=bench", "GIT_COMMITTER_EMAIL=bench@istio-mab.invalid")
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// progressf prints at once: a benchmark's own log shows only when it ends,
// hours later.
func progressf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}

func benchList(key string, def []string) []string {
	if v := os.Getenv(key); v != "" {
		return strings.Split(v, ",")
	}
	return def
}

func goEnv(b *testing.B, key string) string {
	out, err := exec.Command("go", "env", key).Output()
	if err != nil {
		b.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}
