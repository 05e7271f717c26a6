package bench

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// benchEnvironment is what every way of BenchmarkRealSize shares: the same
// stack, source checkout, platforms and module proxy.
type benchEnvironment struct {
	stack     e2etest.Stack
	src       string   // a copy of the real-size tree; "one file changed" edits it
	platforms []string // image platforms, e.g. linux/amd64
	goproxy   string
	meter     meter
	builder   string // BuildKit address in use: the stack's, or a fresh one
	mab       string // istio-mab binary
	dist      string // istio-mab's --dist, the same for every run of a way
}

// istioctlPlatforms are the recipe's archive platforms: istio-mab compiles
// istioctl for each, so the host ways compile it for each too.
var istioctlPlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "darwin/amd64", "darwin/arm64", "windows/amd64"}

// hostBuild is the limit: the go command on the host compiling the same
// binaries for the same platforms, caches in dirs (fresh for "cold").
type hostBuild struct{ gomodcache, gocache string }

func newHostBuild(b *testing.B) *hostBuild {
	return &hostBuild{gomodcache: b.TempDir(), gocache: b.TempDir()}
}

// commands are the go builds, pilot-discovery per image platform then
// istioctl per archive platform, writing OUT/<os>_<arch>[_v]/<name>.
func (h *hostBuild) commands(e benchEnvironment, out string) []*exec.Cmd {
	var cmds []*exec.Cmd
	add := func(name, pkg, tags, platform string) {
		p := strings.Split(platform, "/")
		dir := filepath.Join(out, strings.Join(p, "_"))
		cmd := exec.Command("go", "build", "-trimpath", "-tags", tags, "-ldflags", "-s -w", "-o", filepath.Join(dir, name), pkg)
		cmd.Dir = e.src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p[0], "GOARCH="+p[1], "GOFLAGS=-buildvcs=false",
			"GOMODCACHE="+h.gomodcache, "GOCACHE="+h.gocache, "GOPROXY="+e.goproxy, "GOWORK=off")
		if len(p) == 3 {
			cmd.Env = append(cmd.Env, "GOARM="+strings.TrimPrefix(p[2], "v"))
		}
		cmds = append(cmds, cmd)
	}
	for _, pl := range e.platforms {
		add("pilot-discovery", "./pilot/cmd/pilot-discovery", "vtprotobuf,disable_pgv", pl)
	}
	for _, pl := range istioctlPlatforms {
		add("istioctl", "./istioctl/cmd/istioctl", "", pl)
	}
	return cmds
}

// run runs the builds one after another (each go build uses every CPU), as
// one sample.
func (h *hostBuild) run(b *testing.B, e benchEnvironment, out string, s *sample) {
	for _, cmd := range h.commands(e, out) {
		var part sample
		e.meter.run(b, cmd, &part)
		s.wall += part.wall
		s.cpu += part.cpu
		if part.err != nil {
			s.err = fmt.Errorf("%s: %w", strings.Join(cmd.Args, " "), part.err)
			return
		}
	}
}

// istioMabRun builds the pilot image for the platforms with istio-mab.
func istioMabRun(b *testing.B, e benchEnvironment, hub string, s *sample) {
	args := []string{"build", "--version", fixture.RealSizeTag, "--hub", hub, "--source", e.src,
		"--buildkit-addr", e.builder, "--go-image", e.stack.GoImage, "--base-registry", e.stack.BaseRegistry,
		"--envoy-base-url", e.stack.EnvoyBaseURL, "--insecure-registry", e.stack.Registry, "--dist", e.dist,
		"--images", "pilot", "--platforms", strings.Join(e.platforms, ","), "--progress", "rawjson"}
	cmd := exec.Command(e.mab, args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ISTIO_MAB_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GOPROXY="+e.goproxy)
	e.meter.run(b, cmd, s)
}

// copyDockerfile is Istio's own flow after a host build: COPY the binaries.
const copyDockerfile = `ARG BASE
FROM ${BASE}
ARG TARGETARCH
COPY ${TARGETARCH}/pilot-discovery /usr/local/bin/pilot-discovery
`

// emulatedDockerfile compiles in a Go stage that runs on the target
// platform: for arm64, under QEMU. It compiles only what the image holds.
const emulatedDockerfile = `ARG GO_IMAGE
ARG BASE
FROM ${GO_IMAGE} AS build
ARG GOPROXY
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOTOOLCHAIN=local PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -trimpath -tags vtprotobuf,disable_pgv -ldflags "-s -w" -o /out/pilot-discovery ./pilot/cmd/pilot-discovery
FROM ${BASE}
COPY --from=build /out/pilot-discovery /usr/local/bin/pilot-discovery
`

// dockerfileRun solves a Dockerfile with buildctl, pushing ref.
func dockerfileRun(b *testing.B, e benchEnvironment, dockerfile, context, ref string, platforms []string, args map[string]string, s *sample) {
	dfDir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dfDir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		b.Fatal(err)
	}
	cmdArgs := []string{"--addr", e.builder, "build", "--progress", "rawjson", "--frontend", "dockerfile.v0",
		"--local", "context=" + context, "--local", "dockerfile=" + dfDir,
		"--opt", "platform=" + strings.Join(platforms, ","),
		"--opt", "build-arg:BASE=" + e.stack.BaseRegistry + "/base:1.22-test",
		"--output", "type=image,name=" + ref + ",push=true,registry.insecure=true"}
	for k, v := range args {
		cmdArgs = append(cmdArgs, "--opt", "build-arg:"+k+"="+v)
	}
	e.meter.run(b, exec.Command(e.stack.Buildctl, cmdArgs...), s)
}
