package bench

// BenchmarkTrustOverhead builds the fixture release (pilot and proxyv2,
// linux/amd64 and linux/arm64, istioctl archives) two ways, side by side on
// the same buildkitd and registry:
//
//	plain       --provenance=false --sbom=false, no signing
//	signed      SLSA provenance, SPDX SBOM and --sign-key
//
// each cold (BuildKit cache pruned, empty export cache, new hub) then as a
// no-op rerun, BENCH_ROUNDS times (default 2), the order reversed every
// other round so drift of the machine falls on all. `make bench` runs it;
// BENCH_TRUST_OUT names a file for the markdown table. BENCH_TRUST_WAYS
// adds the parts alone, to see where a cost comes from:
//
//	provenance  SLSA provenance only
//	sbom        SPDX SBOM only
//	sign        --sign-key only

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
			ways := trustWays()
			if r%2 == 1 {
				slices.Reverse(ways)
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
	args = append(args, trustArgs(way, priv)...)
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

// trustWays are the ways BENCH_TRUST_WAYS names, plain and signed by default.
func trustWays() []string {
	if v := os.Getenv("BENCH_TRUST_WAYS"); v != "" {
		return strings.Split(v, ",")
	}
	return []string{"plain", "signed"}
}

// trustArgs turns on what a way measures; StackArgs turns all of it off.
func trustArgs(way, priv string) []string {
	sbom := []string{"--sbom=true"}
	if gen := os.Getenv("SBOM_GENERATOR"); gen != "" {
		sbom = append(sbom, "--sbom-generator", gen)
	}
	sign := []string{"--sign-key", priv}
	switch way {
	case "provenance":
		return []string{"--provenance=true"}
	case "sbom":
		return sbom
	case "sign":
		return sign
	case "signed":
		return append(append([]string{"--provenance=true"}, sbom...), sign...)
	}
	return nil
}

// trustTable is every run, then per way and scenario the mean wall and
// CPU time and their ratios to plain.
func trustTable(samples []sample) string {
	var sb strings.Builder
	sb.WriteString("| way | scenario | wall s | cpu s | bytes pushed |\n|---|---|---:|---:|---:|\n")
	type sum struct {
		wall, cpu time.Duration
		n         int
	}
	sums := map[string]sum{}
	for _, s := range samples {
		fmt.Fprintf(&sb, "| %s | %s | %.1f | %.1f | %d |\n", s.way, s.scenario, s.wall.Seconds(), s.cpu.Seconds(), s.bytesPushed)
		k := s.way + " " + s.scenario
		sums[k] = sum{sums[k].wall + s.wall, sums[k].cpu + s.cpu, sums[k].n + 1}
	}
	mean := func(k string) (wall, cpu float64) {
		n := float64(max(sums[k].n, 1))
		return sums[k].wall.Seconds() / n, sums[k].cpu.Seconds() / n
	}
	sb.WriteString("\n| way | scenario | mean wall s | mean cpu s | wall / plain | cpu / plain |\n|---|---|---:|---:|---:|---:|\n")
	for _, sc := range []string{"cold", "noop"} {
		pw, pc := mean("plain " + sc)
		for _, way := range trustWays() {
			w, c := mean(way + " " + sc)
			fmt.Fprintf(&sb, "| %s | %s | %.1f | %.1f | %.2f | %.2f |\n", way, sc, w, c, w/pw, c/pc)
		}
	}
	return sb.String()
}
