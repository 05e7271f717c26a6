package compile

import (
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
)

const (
	srcDir      = "/src"
	outDir      = "/out"
	modCache    = "/go/pkg/mod"
	buildCache  = "/root/.cache/go-build"
	cachePrefix = "istio-mab-go-"
	goPath      = "/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
)

// script adds -checklinkname=0 only when the recipe asks and the Go in the
// builder image is 1.23 or newer (older linkers reject the flag), and says so;
// -buildvcs=false only from Go 1.18, which added it (1.12 and 1.13 build with
// Go 1.17, whose go build stops at an unknown flag).
// The GO_JOBS go builds a node runs at once share its CPUs: each gets its
// share as -p, since on 2 cores two builds of -p 2 side by side spent 9 %
// more CPU than one after another, and two of -p 1 did not.
const script = `set -eu
n=$(nproc 2>/dev/null || echo 1)
p=$((n / GO_JOBS)); [ "$p" -ge 1 ] || p=1
flags="$LDFLAGS"
v=$(go env GOVERSION); m=${v#go1.}; m=${m%%[!0-9]*}
vcs=; [ "$m" -lt 18 ] || vcs=-buildvcs=false
if [ "$LINKNAME_FIX" = 1 ]; then
  if [ "$m" -ge 23 ]; then
    flags="-checklinkname=0 $flags"
    echo "istio-mab: $v refuses this release's linkname references; linking with -checklinkname=0"
  fi
fi
exec go build -p "$p" $vcs -trimpath -tags "$TAGS" -ldflags "$flags" -o "$OUT" "$PKG"
`

// FileName is the binary's name in the compile output: Windows needs .exe.
func FileName(b plan.Binary) string {
	if b.Platform.OS == "windows" {
		return b.Name + ".exe"
	}
	return b.Name
}

// Binary is the LLB of one cross-compile, offline, with the modules from
// Modules mounted read-only, one of jobs the node runs at once; its result
// holds only FileName(b).
func Binary(p plan.Plan, b plan.Binary, src, modules llb.State, jobs int) llb.State {
	linkfix := "0"
	if p.LinknameFix {
		linkfix = "1"
	}
	opts := append(offlineGo(b, src, modules),
		llb.Args([]string{"/bin/sh", "-c", script}),
		llb.AddEnv("GOCACHE", buildCache),
		llb.AddEnv("LDFLAGS", b.LDFlags),
		llb.AddEnv("LINKNAME_FIX", linkfix),
		llb.AddEnv("GO_JOBS", strconv.Itoa(max(jobs, 1))),
		llb.AddEnv("OUT", outDir+"/"+FileName(b)),
		// The linker's work directory on the output mount: the go command
		// then renames the binary into place instead of copying it (tens
		// of MB) across mounts. It removes the directory before exiting.
		llb.AddEnv("GOTMPDIR", outDir),
		llb.AddMount(buildCache, llb.Scratch(), llb.AsPersistentCacheDir(BuildCacheID(b), llb.CacheMountLocked)),
		llb.WithCustomNamef("compile %s for %s", b.Name, platforms.Format(b.Platform)),
	)
	return goImage(b).Run(opts...).AddMount(outDir, llb.Scratch())
}

// offlineGo is what every go command about b shares: its target platform
// and tags, the source read-only, and the downloaded modules read-only with
// no network, so nothing but the download step ever fetches.
func offlineGo(b plan.Binary, src, modules llb.State) []llb.RunOption {
	return []llb.RunOption{
		llb.Dir(srcDir),
		// LLB does not apply the image's config; this is the golang images' PATH.
		llb.AddEnv("PATH", goPath),
		llb.AddEnv("CGO_ENABLED", "0"),
		llb.AddEnv("GOOS", b.Platform.OS),
		llb.AddEnv("GOARCH", b.Platform.Architecture),
		llb.AddEnv("GOARM", goarm(b)),
		llb.AddEnv("GOTOOLCHAIN", "local"),
		llb.AddEnv("GOFLAGS", "-mod=readonly"),
		llb.AddEnv("GOPROXY", "off"),
		llb.AddEnv("GOMODCACHE", modCache),
		llb.AddEnv("TAGS", strings.Join(b.Tags, ",")),
		llb.AddEnv("PKG", b.Package),
		llb.AddMount(srcDir, src, llb.Readonly),
		llb.AddMount(modCache, modules, llb.Readonly),
		llb.Network(llb.NetModeNone),
	}
}

func goarm(b plan.Binary) string {
	if b.Platform.Architecture == "arm" {
		return strings.TrimPrefix(b.Platform.Variant, "v")
	}
	return ""
}

// BuildCacheID names the Go build cache of b's platform on its node. One
// per platform (GOOS and GOARCH are in every key, so platforms share nothing)
// and locked: a shared cache mount that BuildKit finds still held, as it is
// for a moment after a compile ends, is replaced by a new, empty one, and
// the next compiles then rebuild every package. Locked, a compile waits.
func BuildCacheID(b plan.Binary) string {
	return cachePrefix + "build-" + strings.TrimPrefix(path.Dir(Path(b)), "/")
}

// Path is where a binary goes in the run's binaries directory.
func Path(b plan.Binary) string {
	dir := b.Platform.OS + "_" + b.Platform.Architecture
	if b.Platform.Variant != "" {
		dir += "_" + b.Platform.Variant
	}
	return "/" + dir + "/" + FileName(b)
}

func goImage(b plan.Binary) llb.State { return llb.Image(b.GoImage, llb.Platform(b.BuildPlatform)) }

func sortedKeys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
