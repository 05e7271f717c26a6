package bench

// BenchmarkCompileCrossVsEmulated measures why istio-mab cross-compiles: the
// same cold compile of the fixture's pilot-discovery for linux/arm64, once in
// the amd64 Go image with GOARCH=arm64 and once in an arm64 Go image run under
// QEMU, alternating within one run so both see the same machine and load.
//
//	go test -run '^$' -bench BenchmarkCompile -benchtime 3x ./e2e/

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/exe"
)

// benchScript fails on a warm cache: the comparison is of cold builders,
// where the standard library is compiled too.
const benchScript = `set -eu
test ! -e "$GOCACHE"
exec go build -buildvcs=false -trimpath -tags vtprotobuf,disable_pgv -o /out/pilot-discovery ./pilot/cmd/pilot-discovery
`

const benchGoPath = "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// compileWay is one way to get a linux/arm64 binary: a Go image and the
// platform its container runs as.
type compileWay struct {
	name     string
	image    string
	platform ocispecs.Platform
}

func BenchmarkCompileCrossVsEmulated(b *testing.B) {
	ctx := b.Context()
	host, registry, goImage := benchEnv(b, "BUILDKIT_HOST"), benchEnv(b, "REGISTRY"), benchEnv(b, "GO_IMAGE")
	version := goImage[strings.LastIndex(goImage, ":")+1:]
	ways := []compileWay{
		{"cross", goImage, ocispecs.Platform{OS: "linux", Architecture: "amd64"}},
		{"emulated", seedArmGo(b, registry, version), ocispecs.Platform{OS: "linux", Architecture: "arm64"}},
	}
	c, err := buildkit.Connect(ctx, host, buildkit.TLS{}, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	src := fixtureSource(b)
	for _, w := range ways {
		checkGoVersion(b, c, w, version) // pulls the image outside the timed loop
	}
	total := make([]time.Duration, len(ways))
	for i := 0; b.Loop(); i++ {
		// Swapping the order each iteration keeps either way from always
		// running on a daemon just warmed (or tired) by the other.
		for k := range ways {
			j := (k + i) % len(ways)
			d := compileOnce(b, c, ways[j], src)
			total[j] += d
			b.Logf("iteration %d: %s %.1fs", i+1, ways[j].name, d.Seconds())
		}
	}
	cross := total[0].Seconds() / float64(b.N)
	emulated := total[1].Seconds() / float64(b.N)
	b.ReportMetric(cross, "cross-s/op")
	b.ReportMetric(emulated, "emulated-s/op")
	b.ReportMetric(emulated/cross, "ratio") // how many times slower emulation is
}

func benchEnv(b *testing.B, key string) string {
	v := os.Getenv(key)
	if v == "" {
		b.Fatalf("$%s is not set: source .stack/env after `make up`", key)
	}
	return v
}

func fixtureSource(b *testing.B) string {
	wd, err := filepath.Abs(".")
	if err != nil {
		b.Fatal(err)
	}
	td, err := fixture.TestdataDir(wd)
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(td, "fixture", "1.22.0")
}

// seedArmGo pushes (once; later runs find it) an arm64 Go image holding the
// same Go release as GO_IMAGE, taken from the Go module proxy's toolchain.
func seedArmGo(b *testing.B, registry, version string) string {
	ref, err := fixture.SeedGoImage(b.Context(), fixture.GoImageOptions{
		Registry: registry,
		Arch:     "arm64",
		Busybox:  busyboxFor(b, "arm64"),
		GoRoot:   toolchainDir(b, "go"+version, "arm64"),
		Tag:      version + "-arm64-bench",
		CABundle: fixture.HostCABundle,
	})
	if err != nil {
		b.Fatal(err)
	}
	return ref
}

func busyboxFor(b *testing.B, arch string) string {
	cache, err := os.UserCacheDir()
	if err != nil {
		b.Fatal(err)
	}
	return filepath.Join(cache, "istio-mab", "busybox", arch, "busybox")
}

// toolchainDir downloads a linux/<arch> Go distribution through the module
// proxy, as GOTOOLCHAIN switching does; it lands in the module cache.
func toolchainDir(b *testing.B, goVersion, arch string) string {
	mod := fmt.Sprintf("golang.org/toolchain@v0.0.1-%s.linux-%s", goVersion, arch)
	cmd := exec.CommandContext(b.Context(), "go", "mod", "download", "-json", mod)
	cmd.Dir = b.TempDir() // outside any module, so no go.mod or go.sum is touched
	out, err := cmd.Output()
	var res struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &res); jerr != nil || res.Dir == "" {
		b.Fatalf("go mod download %s: %v %s %s", mod, err, res.Error, out)
	}
	return res.Dir
}

// checkGoVersion runs `go version` in the way's container: it proves QEMU
// runs the arm64 toolchain and that both ways use the same Go release.
func checkGoVersion(b *testing.B, c *buildkit.Client, w compileWay, version string) {
	out := goImageRun(w, "go version >/out/version", llb.Scratch())
	dir := solve(b, c, out, nil)
	got, err := os.ReadFile(filepath.Join(dir, "version"))
	if err != nil {
		b.Fatal(err)
	}
	want := fmt.Sprintf("go version go%s linux/%s", version, w.platform.Architecture)
	if strings.TrimSpace(string(got)) != want {
		b.Fatalf("%s: %s says %q, want %q", w.name, w.image, got, want)
	}
}

// compileOnce compiles pilot-discovery and checks the result is an arm64 ELF;
// it returns the solve's wall time, export included.
func compileOnce(b *testing.B, c *buildkit.Client, w compileWay, src string) time.Duration {
	start := time.Now()
	dir := solve(b, c, goImageRun(w, benchScript, llb.Local("src")), map[string]string{"src": src})
	d := time.Since(start)
	f, err := os.Open(filepath.Join(dir, "pilot-discovery"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := exe.Check(f, platforms.MustParse("linux/arm64")); err != nil {
		b.Fatalf("%s: %v", w.name, err)
	}
	return d
}

// goImageRun runs script in the way's image with src at /src; the result is
// /out. IgnoreCache and the absent cache mount make every solve really run.
func goImageRun(w compileWay, script string, src llb.State) llb.State {
	run := llb.Image(w.image, llb.Platform(w.platform)).Run(
		llb.Args([]string{"/bin/sh", "-c", script}),
		llb.Dir("/src"),
		llb.AddEnv("PATH", benchGoPath),
		llb.AddEnv("CGO_ENABLED", "0"),
		llb.AddEnv("GOOS", "linux"),
		llb.AddEnv("GOARCH", "arm64"),
		llb.AddEnv("GOTOOLCHAIN", "local"),
		llb.AddEnv("GOFLAGS", "-mod=readonly"),
		llb.AddEnv("GOCACHE", "/tmp/go-build-cold"),
		llb.AddMount("/src", src, llb.Readonly),
		llb.IgnoreCache,
		llb.WithCustomNamef("%s: %s", w.name, script),
	)
	return run.AddMount("/out", llb.Scratch())
}

// solve exports st to a fresh directory and returns it; on failure the
// build log's tail goes into the error.
func solve(b *testing.B, c *buildkit.Client, st llb.State, locals map[string]string) string {
	ctx := b.Context()
	def, err := st.Marshal(ctx)
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dir}}}
	if _, err := c.Solve(ctx, def, opt, locals); err != nil {
		b.Fatalf("solve: %v", err)
	}
	return dir
}
