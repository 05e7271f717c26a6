package airgap

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/layout"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/fixture"
)

// TestBuildOffline builds the fixture.GoProxyTag release with --lock inside a
// new network namespace holding only loopback, where git, the Envoy files,
// the Go module proxy (the file server's GOPROXY layout), the registry of
// bases and Go image, and a BuildKit daemon of its own are the only services,
// started there on the stack's addresses from the stack's data; the stack's
// own services are checked unreachable first. The release's pilot-discovery
// imports a module only that proxy serves, and the fresh daemon downloads it
// with --goproxy; the checksum database is unreachable, so go.sum alone
// verifies it. Its binaries hold the module, and the lists built inside equal
// a build's outside with the same inputs.
func TestBuildOffline(t *testing.T) {
	s := e2etest.LoadStack(t)
	tag := fixture.GoProxyTag
	lockFile := filepath.Join(t.TempDir(), "istio.lock")
	args := func(cmd, buildkit string) []string {
		a := e2etest.StackArgs(s, tag, "offline.invalid/istio", "")
		a[0] = cmd
		for i := range a {
			if a[i] == "--buildkit-addr" {
				a[i+1] = buildkit
			}
		}
		return append(a, "--goproxy", s.ModuleProxy, "--progress", "plain")
	}
	res := e2etest.RunIstioMab(t, args("lock", s.BuildkitHost)...)
	if res.Code != 0 {
		t.Fatalf("lock exited %d:\n%s", res.Code, res.Stderr)
	}
	if err := os.WriteFile(lockFile, []byte(res.Stdout), 0o644); err != nil {
		t.Fatal(err)
	}

	outside := filepath.Join(t.TempDir(), "layout")
	e2etest.MustBuild(t, append(args("build", s.BuildkitHost), "--lock", lockFile, "--output", "oci-layout:"+outside))
	want := e2etest.ReadContents(t, outside)

	work, err := os.MkdirTemp(s.Dir, "offline-") // overlayfs needs a real filesystem under buildkitd's root
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(work) })
	sock := "unix://" + filepath.Join(work, "bk.sock")
	layoutDir := filepath.Join(work, "layout")
	build := strings.Join(append([]string{e2etest.IstioMab(t)}, append(args("build", sock), "--lock", lockFile, "--output", "oci-layout:"+layoutDir)...), " ")
	script := offlineScript(t, s, work, sock, build)
	ctx, cancel := context.WithTimeout(t.Context(), 25*time.Minute)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "unshare", "-n", "bash", "-c", script)
	cmd.Env = e2etest.IstioMabEnv() // as RunIstioMab: the stack's port overrides are no istio-mab settings
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("offline build: %v\n%s", err, e2etest.Tail(string(out), 40))
	}
	t.Logf("offline build with a cold BuildKit cache took %s", time.Since(start).Round(time.Second))
	got := e2etest.ReadContents(t, layoutDir)
	if len(got.Lists) != len(want.Lists) {
		t.Fatalf("%d lists built offline, %d outside", len(got.Lists), len(want.Lists))
	}
	for i, l := range got.Lists {
		if l.Digest != want.Lists[i].Digest {
			t.Errorf("%s: list %s built offline, %s outside", l.Name, l.Digest, want.Lists[i].Digest)
		}
	}
	checkProxyModuleLinked(t, layoutDir, got)
	e2etest.CheckArchives(t, filepath.Join(layoutDir, "files"), tag, true)
}

// checkProxyModuleLinked asserts every pilot-discovery in the layout's pilot
// images was built with the module from the proxy: its build info lists the
// module with go.sum's hash, and its code (the greeting) is linked in.
func checkProxyModuleLinked(t *testing.T, dir string, c carry.Contents) {
	t.Helper()
	lp, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	top, err := lp.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	goSum, err := os.ReadFile(filepath.Join(e2etest.RepoRoot(t), "e2e", "testdata", "fixture", fixture.GoProxyTag, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	const bin = "/usr/local/bin/pilot-discovery"
	checked := 0
	for _, l := range c.Lists {
		if l.Name != "pilot" {
			continue
		}
		list, err := top.ImageIndex(l.Digest)
		if err != nil {
			t.Fatalf("%s: %v", l.Name, err)
		}
		for _, p := range l.Platforms {
			img, err := list.Image(p.Digest)
			if err != nil {
				t.Fatalf("%s %s: %v", l.Name, p.Platform, err)
			}
			checkModuleIn(t, l.Name+" "+p.Platform, e2etest.ImageFiles(t, img, bin)[bin], string(goSum))
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("the layout holds no pilot image")
	}
}

func checkModuleIn(t *testing.T, what string, bin []byte, goSum string) {
	t.Helper()
	info, err := buildinfo.Read(bytes.NewReader(bin))
	if err != nil {
		t.Fatalf("%s: pilot-discovery build info: %v", what, err)
	}
	var dep *debug.Module
	for _, d := range info.Deps {
		if d.Path == fixture.GoProxyModule {
			dep = d
		}
	}
	if dep == nil || dep.Version != fixture.GoProxyModVer {
		t.Errorf("%s: pilot-discovery's modules do not list %s %s: %v", what, fixture.GoProxyModule, fixture.GoProxyModVer, info.Deps)
	} else if line := fixture.GoProxyModule + " " + dep.Version + " " + dep.Sum + "\n"; !strings.Contains(goSum, line) {
		t.Errorf("%s: pilot-discovery holds %s %s %s, which go.sum does not", what, fixture.GoProxyModule, dep.Version, dep.Sum)
	}
	if !bytes.Contains(bin, []byte(fixture.Greeting)) {
		t.Errorf("%s: pilot-discovery does not hold the module's greeting %q", what, fixture.Greeting)
	}
}

// offlineScript starts, inside the namespace, the registry (on the stack's
// storage), git daemon, file server (Envoy files and the module proxy) and a
// buildkitd of its own, then runs build; every process it starts is stopped
// by pid on exit.
func offlineScript(t *testing.T, s e2etest.Stack, work, sock, build string) string {
	t.Helper()
	regCfg := filepath.Join(work, "registry.yml")
	cfg := fmt.Sprintf("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: %s/registry/data\nhttp:\n  addr: %s\n", s.Dir, s.Registry)
	if err := os.WriteFile(regCfg, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	bkCfg := filepath.Join(work, "buildkitd.toml")
	toml := fmt.Sprintf("root = %q\n[grpc]\n  address = [%q]\n[worker.oci]\n  enabled = true\n  snapshotter = \"overlayfs\"\n[worker.containerd]\n  enabled = false\n[registry.%q]\n  http = true\n",
		filepath.Join(work, "root"), sock, s.Registry)
	if err := os.WriteFile(bkCfg, []byte(toml), 0o644); err != nil {
		t.Fatal(err)
	}
	gitPort := s.GitURL[strings.LastIndex(s.GitURL, ":")+1 : strings.LastIndex(s.GitURL, "/")]
	files := strings.TrimPrefix(s.EnvoyBaseURL, "http://")
	buildkitd := filepath.Join(filepath.Dir(s.Buildctl), "buildkitd")
	return strings.Join([]string{
		"set -e",
		"ip link set lo up",
		// The public module proxy and checksum database too: the module
		// download can only have used the loopback proxy and go.sum.
		fmt.Sprintf(`for a in %s; do if bash -c "exec 3<>/dev/tcp/${a%%:*}/${a##*:}" 2>/dev/null; then echo "reached $a"; exit 9; fi; done`,
			strings.Join(append(stackAddrs(s), "proxy.golang.org:443", "sum.golang.org:443"), " ")),
		"pids=()",
		`trap 'for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done; wait' EXIT`,
		fmt.Sprintf("docker-registry serve %s >%s/registry.log 2>&1 & pids+=($!)", regCfg, work),
		fmt.Sprintf("git daemon --reuseaddr --export-all --listen=127.0.0.1 --port=%s --base-path=%s/git %s/git >%s/git.log 2>&1 & pids+=($!)", gitPort, s.Dir, s.Dir, work),
		fmt.Sprintf("%s/bin/stackctl serve --dir %s/files --listen %s --addr-file %s/files.addr >%s/files.log 2>&1 & pids+=($!)", s.Dir, s.Dir, files, work, work),
		fmt.Sprintf("%s --config %s >%s/buildkitd.log 2>&1 & pids+=($!)", buildkitd, bkCfg, work),
		fmt.Sprintf(`for i in $(seq 150); do %s --addr %s debug workers >/dev/null 2>&1 && break; sleep 0.2; done`, s.Buildctl, sock),
		fmt.Sprintf(`for i in $(seq 150); do test -s %s/files.addr && bash -c "exec 3<>/dev/tcp/127.0.0.1/%s" 2>/dev/null && break; sleep 0.2; done`, work, gitPort),
		build,
	}, "\n")
}
