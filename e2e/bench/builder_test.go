package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

func benchStack(b *testing.B) e2etest.Stack { return e2etest.LoadStack(b) }
func istioMabForBench(b *testing.B) string  { return e2etest.IstioMab(b) }

// freshBuilder starts a second buildkitd with an empty state (same binary and
// registry settings as the stack's) for the "fresh builder" scenario, and
// stops it, by its pid, when the benchmark ends.
func freshBuilder(b *testing.B, s e2etest.Stack) string {
	dir, err := os.MkdirTemp("", "mab-fresh-") // short: unix socket paths are limited
	if err != nil {
		b.Fatal(err)
	}
	sock := "unix://" + filepath.Join(dir, "buildkitd.sock")
	bin := filepath.Join(filepath.Dir(s.Buildctl), "buildkitd")
	cmd := exec.Command(bin, "--config", filepath.Join(s.Dir, "buildkit", "buildkitd.toml"),
		"--root", filepath.Join(dir, "root"), "--addr", sock)
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	})
	for range 150 {
		if exec.Command(s.Buildctl, "--addr", sock, "debug", "workers").Run() == nil {
			return sock
		}
		time.Sleep(200 * time.Millisecond)
	}
	b.Fatalf("fresh buildkitd on %s did not start", sock)
	return ""
}

// benchTable is the markdown table of the samples, each time also as a
// ratio to the limit's in the same scenario (its cold run for noop-fresh):
// the n-th run of a scenario to the limit's n-th, or its last if it had fewer.
func benchTable(samples []sample) string {
	limit := map[string][]sample{}
	for _, s := range samples {
		if s.way == "limit" {
			limit[s.scenario] = append(limit[s.scenario], s)
		}
	}
	limit["noop-fresh"] = limit["cold"]
	seen := map[[2]string]int{}
	var w strings.Builder
	fmt.Fprintln(&w, "| scenario | way | wall s | x limit | CPU s | x limit | images pushed at s | last istioctl at s | bytes pushed | peak RSS MiB | ok |")
	fmt.Fprintln(&w, "|---|---|---|---|---|---|---|---|---|---|---|")
	for _, s := range samples {
		key := [2]string{s.way, s.scenario}
		l := nthOrLast(limit[s.scenario], seen[key])
		seen[key]++
		fmt.Fprintf(&w, "| %s | %s | %.1f | %s | %.1f | %s | %s | %s | %d | %s | %t |\n",
			s.scenario, s.way, s.wall.Seconds(), ratio(s.wall, l.wall), s.cpu.Seconds(), ratio(s.cpu, l.cpu),
			secs(s.pushed), secs(s.lastIstioctl), s.bytesPushed, mib(s), s.err == nil)
	}
	return w.String()
}

func nthOrLast(s []sample, n int) sample {
	if len(s) == 0 {
		return sample{}
	}
	return s[min(n, len(s)-1)]
}

func ratio(a, b time.Duration) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", a.Seconds()/b.Seconds())
}

func secs(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f", d.Seconds())
}

// mib is the peak RSS of istio-mab itself; the other ways' commands are
// the go command or buildctl, not comparable.
func mib(s sample) string {
	if s.way != "istio-mab" {
		return "-"
	}
	return fmt.Sprintf("%.1f", float64(s.maxRSS)/(1<<20))
}
