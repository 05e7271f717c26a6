package bench

// BenchmarkTrustOverhead builds the fixture release (pilot and proxyv2,
// linux/amd64 and linux/arm64, istioctl archives) two ways, side by side on
// the same buildkitd and registry:
//
//	plain   --provenance=false --sbom=false, no signing
//	signed  SLSA provenance, SPDX SBOM and --sign-key
//
// each cold (BuildKit cache pruned, empty export cache, new hub) then as a
// no-op rerun, BENCH_ROUNDS times (default 2) in the order plain, signed,
// signed, plain, ... so drift of the machine falls on both. `make bench`
// runs it; BENCH_TRUST_OUT names a file for the markdown table.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

func BenchmarkTrustOverhead(b *testing.B) {
	s := benchStack(b)
	m := meter{buildkitdPid: readPid(b, filepath.Join(s.Dir, "buildkitd.pid")), registryDir: filepath.Join(s.Dir, "registry", "data")}
	priv, _ := e2etest.NewKeyPair(b, b.TempDir(), "bench")
	rounds := 2
	if v, err := strconv.Atoi(os.Getenv("BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var samples []sample
	for b.Loop() {
		for r := range rounds {
			ways := []string{"plain", "signed"}
			if r%2 == 1 {
				ways = []string{"signed", "plain"}
			}
			for _, way := range ways {
				samples = append(samples, trustRun(b, s, m, way, priv)...)
			}
		}
	}
	table := trustTable(samples)
	b.Log("\n" + table)
	if out := os.Getenv("BENCH_TRUST_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// trustRun is one way cold, then its no-op rerun.
func trustRun(b *testing.B, s e2etest.Stack, m meter, way, priv string) []sample {
	pruneBuilder(b, benchEnvironment{stack: s})
	hub, dist, cache := e2etest.UniqueHub(s), b.TempDir(), b.TempDir()
	args := e2etest.StackArgs(s, "1.22.0", hub, dist)
	if way == "signed" {
		args = append(e2etest.Attested(s, args), "--sign-key", priv)
	}
	var out []sample
	for _, sc := range []string{"cold", "noop"} {
		cmd := exec.Command(istioMabForBench(b), args...)
		cmd.Env = e2etest.IstioMabEnv("XDG_CACHE_HOME="+cache, "COSIGN_PASSWORD="+e2etest.KeyPassword)
		smp := sample{way: way, scenario: sc}
		progressf("trust %s %s ...", way, sc)
		m.run(b, cmd, &smp)
		if smp.err != nil {
			b.Fatalf("%s %s: %v", way, sc, smp.err)
		}
		progressf("trust %s %s: wall %.1fs, %d bytes pushed", way, sc, smp.wall.Seconds(), smp.bytesPushed)
		out = append(out, smp)
	}
	return out
}

// trustTable is every run, then the mean per way and scenario and the
// ratio signed / plain.
func trustTable(samples []sample) string {
	var sb strings.Builder
	sb.WriteString("| way | scenario | wall s | cpu s | bytes pushed |\n|---|---|---:|---:|---:|\n")
	mean := map[string]time.Duration{}
	count := map[string]int{}
	for _, s := range samples {
		fmt.Fprintf(&sb, "| %s | %s | %.1f | %.1f | %d |\n", s.way, s.scenario, s.wall.Seconds(), s.cpu.Seconds(), s.bytesPushed)
		mean[s.way+" "+s.scenario] += s.wall
		count[s.way+" "+s.scenario]++
	}
	avg := func(k string) float64 { return mean[k].Seconds() / float64(max(count[k], 1)) }
	for _, sc := range []string{"cold", "noop"} {
		fmt.Fprintf(&sb, "\n%s: plain %.1f s, signed %.1f s, signed / plain = %.2f", sc, avg("plain "+sc), avg("signed "+sc), avg("signed "+sc)/avg("plain "+sc))
	}
	sb.WriteString("\n")
	return sb.String()
}
