package compile_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/solver/pb"
	digest "github.com/opencontainers/go-digest"
)

const goImage = "docker.io/library/golang:1.26.8"

func testPlan(linknameFix bool) plan.Plan {
	return plan.Plan{
		Version:       "1.14.3",
		GoImage:       goImage,
		BuildPlatform: platforms.MustParse("linux/amd64"),
		LinknameFix:   linknameFix,
	}
}

func binary(name, platform string) plan.Binary {
	return plan.Binary{
		Name:     name,
		Package:  "./pilot/cmd/" + name,
		Tags:     []string{"agent", "disable_pgv"},
		Platform: platforms.MustParse(platform),
		LDFlags:  "-s -w -X istio.io/pkg/version.buildVersion=1.14.3",
		// As plan.New sets them; Assign may put a binary on another node.
		BuildPlatform: platforms.MustParse("linux/amd64"),
		GoImage:       goImage,
	}
}

// src is a git source as the builder makes it: unlike a local directory, its
// definition is deterministic, so digests can be compared.
func src() llb.State {
	return source.State(plan.Source{GitURL: "https://github.com/istio/istio.git", Ref: "refs/tags/1.14.3"},
		"0123456789abcdef0123456789abcdef01234567")
}

// op is one decoded LLB vertex with its digest.
type op struct {
	dgst digest.Digest
	*pb.Op
}

func marshal(t *testing.T, st llb.State) (ops []op, head digest.Digest) {
	t.Helper()
	def, err := st.Marshal(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, dt := range def.ToPB().Def {
		var o pb.Op
		if err := o.Unmarshal(dt); err != nil {
			t.Fatal(err)
		}
		ops = append(ops, op{digest.FromBytes(dt), &o})
	}
	if head, err = def.Head(); err != nil {
		t.Fatal(err)
	}
	return ops, head
}

// execOp is the one exec whose script contains marker ("go build", "go mod download").
func execOp(t *testing.T, ops []op, marker ...string) op {
	t.Helper()
	want := "go build"
	if len(marker) > 0 {
		want = marker[0]
	}
	var found []op
	for _, o := range ops {
		if args := o.GetExec().GetMeta().GetArgs(); len(args) == 3 && strings.Contains(args[2], want) {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one exec running %q, have %d", want, len(found))
	}
	return found[0]
}

func byDigest(t *testing.T, ops []op, d string) op {
	t.Helper()
	for _, o := range ops {
		if string(o.dgst) == d {
			return o
		}
	}
	t.Fatalf("no op %s", d)
	return op{}
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func TestBinaryExec(t *testing.T) {
	for _, tc := range []struct {
		name        string
		b           plan.Binary
		linknameFix bool
		goos, arch  string
		goarm       string
		out         string
	}{
		{"amd64", binary("pilot-agent", "linux/amd64"), false, "linux", "amd64", "", "/out/pilot-agent"},
		{"arm64 with linkname fix", binary("pilot-agent", "linux/arm64"), true, "linux", "arm64", "", "/out/pilot-agent"},
		{"armv7", binary("istioctl", "linux/arm/v7"), false, "linux", "arm", "7", "/out/istioctl"},
		{"darwin", binary("istioctl", "darwin/arm64"), false, "darwin", "arm64", "", "/out/istioctl"},
		{"windows", binary("istioctl", "windows/amd64"), true, "windows", "amd64", "", "/out/istioctl.exe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := testPlan(tc.linknameFix)
			ops, _ := marshal(t, compile.Binary(p, tc.b, src(), compile.Modules(p, tc.b, src()), 2))
			ex := execOp(t, ops)
			meta := ex.GetExec().GetMeta()

			args := meta.GetArgs()
			if len(args) != 3 || args[0] != "/bin/sh" || args[1] != "-c" || !strings.Contains(args[2], "go build") {
				t.Errorf("args = %q, want /bin/sh -c <script running go build>", args)
			}
			if meta.GetCwd() != "/src" {
				t.Errorf("cwd = %q, want /src", meta.GetCwd())
			}
			wantFix := "0"
			if tc.linknameFix {
				wantFix = "1"
			}
			env := envMap(meta.GetEnv())
			for k, want := range map[string]string{
				"CGO_ENABLED":  "0",
				"GOOS":         tc.goos,
				"GOARCH":       tc.arch,
				"GOARM":        tc.goarm,
				"GOTOOLCHAIN":  "local",
				"TAGS":         "agent,disable_pgv",
				"LDFLAGS":      tc.b.LDFlags,
				"PKG":          tc.b.Package,
				"OUT":          tc.out,
				"LINKNAME_FIX": wantFix,
			} {
				if got, ok := env[k]; !ok || got != want {
					t.Errorf("env %s = %q (set: %t), want %q", k, got, ok, want)
				}
			}
			if !slices.Contains(filepath.SplitList(env["PATH"]), "/usr/local/go/bin") {
				t.Errorf("PATH %q lacks /usr/local/go/bin", env["PATH"])
			}

			// The compile runs natively on the build platform, never emulated.
			if pl := ex.GetPlatform(); pl.GetOS() != "linux" || pl.GetArchitecture() != "amd64" {
				t.Errorf("exec platform = %v, want the build platform linux/amd64", pl)
			}
			root := byDigest(t, ops, ex.GetInputs()[0].GetDigest())
			if id := root.GetSource().GetIdentifier(); id != "docker-image://"+goImage {
				t.Errorf("root image = %q, want docker-image://%s", id, goImage)
			}
			if pl := root.GetPlatform(); pl.GetArchitecture() != "amd64" {
				t.Errorf("go image platform = %v, want the build platform, not the target", pl)
			}
			checkMounts(t, ops, ex)
		})
	}
}

func checkMounts(t *testing.T, ops []op, ex op) {
	t.Helper()
	mounts := map[string]*pb.Mount{}
	for _, m := range ex.GetExec().GetMounts() {
		mounts[m.GetDest()] = m
	}
	if m := mounts["/src"]; m == nil || !m.GetReadonly() || m.GetOutput() != int64(pb.SkipOutput) {
		t.Errorf("/src mount = %v, want a readonly input", m)
	} else if id := byDigest(t, ops, ex.GetInputs()[m.GetInput()].GetDigest()).GetSource().GetIdentifier(); !strings.HasPrefix(id, "git://github.com/istio/istio.git") {
		t.Errorf("/src comes from %q, want the source state", id)
	}
	if m := mounts["/go/pkg/mod"]; m == nil || !m.GetReadonly() || m.GetMountType() != pb.MountType_BIND {
		t.Errorf("/go/pkg/mod mount = %v, want the module download's result, read-only", m)
	}
	if ex.GetExec().GetNetwork() != pb.NetMode_NONE {
		t.Errorf("compile network = %v, want none: modules come only from the download step", ex.GetExec().GetNetwork())
	}
	env := map[string]string{}
	for _, kv := range ex.GetExec().GetMeta().GetEnv() {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	// One locked Go build cache per platform: see compile.BuildCacheID.
	id := "istio-mab-go-build-" + env["GOOS"] + "_" + env["GOARCH"]
	if env["GOARM"] != "" {
		id += "_v" + env["GOARM"]
	}
	if m := mounts["/root/.cache/go-build"]; m == nil || m.GetMountType() != pb.MountType_CACHE {
		t.Errorf("Go build cache mount = %v, want a cache mount", m)
	} else if c := m.GetCacheOpt(); c.GetID() != id || c.GetSharing() != pb.CacheSharingOpt_LOCKED {
		t.Errorf("Go build cache = %v, want id %s locked", c, id)
	}
	if m := mounts["/out"]; m == nil || m.GetReadonly() || m.GetOutput() == int64(pb.SkipOutput) || m.GetMountType() != pb.MountType_BIND {
		t.Errorf("/out mount = %v, want a writable output", m)
	}
}

// An unchanged rebuild must produce the same definition, so BuildKit hits its cache.
func TestBinaryDigestStable(t *testing.T) {
	p := testPlan(true)
	b := binary("pilot-agent", "linux/arm64")
	_, first := marshal(t, compileOf(p, b))
	_, again := marshal(t, compileOf(p, b))
	if first != again {
		t.Errorf("same inputs gave %s then %s", first, again)
	}
	changed := b
	changed.LDFlags = strings.Replace(b.LDFlags, "1.14.3", "1.14.4", 1)
	if _, other := marshal(t, compileOf(p, changed)); other == first {
		t.Errorf("a different version ldflag kept digest %s", first)
	}
	if _, other := marshal(t, compileOf(p, binary("pilot-agent", "linux/amd64"))); other == first {
		t.Errorf("a different target platform kept digest %s", first)
	}
}

func TestPathAndFileName(t *testing.T) {
	for _, tc := range []struct {
		b              plan.Binary
		file, wantPath string
	}{
		{binary("istioctl", "linux/amd64"), "istioctl", "/linux_amd64/istioctl"},
		{binary("istioctl", "linux/arm/v7"), "istioctl", "/linux_arm_v7/istioctl"},
		{binary("istioctl", "windows/amd64"), "istioctl.exe", "/windows_amd64/istioctl.exe"},
		{binary("istioctl", "darwin/arm64"), "istioctl", "/darwin_arm64/istioctl"},
		{binary("pilot-agent", "linux/arm64"), "pilot-agent", "/linux_arm64/pilot-agent"},
	} {
		if got := compile.FileName(tc.b); got != tc.file {
			t.Errorf("FileName(%s %s) = %q, want %q", tc.b.Name, platforms.Format(tc.b.Platform), got, tc.file)
		}
		if got := compile.Path(tc.b); got != tc.wantPath {
			t.Errorf("Path(%s %s) = %q, want %q", tc.b.Name, platforms.Format(tc.b.Platform), got, tc.wantPath)
		}
	}
}

func TestScript(t *testing.T) {
	ops, _ := marshal(t, compileOf(testPlan(true), binary("pilot-agent", "linux/amd64")))
	script := execOp(t, ops).GetExec().GetMeta().GetArgs()[2]

	for _, tc := range []struct {
		goVersion string
		fix       string
		wantFlag  bool
	}{
		{"go1.22.5", "1", false},
		{"go1.23.0", "1", true},
		{"go1.26.8", "1", true},
		{"go1.26.8", "0", false},
		{"go1.18.10", "0", false},
		{"go1.17.13", "1", false}, // 1.12 and 1.13 build with Go 1.17
	} {
		t.Run(tc.goVersion+"/fix="+tc.fix, func(t *testing.T) {
			stdout, argsFile := runScript(t, script, tc.goVersion, tc.fix)
			args := strings.Split(strings.TrimSuffix(argsFile, "\n"), "\n")
			i := slices.Index(args, "-ldflags")
			if i < 0 || i+1 >= len(args) {
				t.Fatalf("go called with %q, want -ldflags", args)
			}
			ldflags := args[i+1]
			if got := strings.HasPrefix(ldflags, "-checklinkname=0 "); got != tc.wantFlag {
				t.Errorf("ldflags %q: -checklinkname=0 present %t, want %t", ldflags, got, tc.wantFlag)
			}
			if !strings.HasSuffix(ldflags, "-s -w -X istio.io/pkg/version.buildVersion=1.14.3") {
				t.Errorf("ldflags %q lost the binary's own flags", ldflags)
			}
			said := strings.Contains(stdout, "linking with -checklinkname=0") && strings.Contains(stdout, tc.goVersion)
			if said != tc.wantFlag {
				t.Errorf("message printed %t, want %t; stdout:\n%s", said, tc.wantFlag, stdout)
			}
			wantTail := []string{"build", "-p", "1", "-buildvcs=false", "-trimpath", "-tags", "agent", "-ldflags", ldflags, "-o", "/tmp/out/pilot-agent", "./pilot/cmd/pilot-agent"}
			if tc.goVersion < "go1.18" {
				wantTail = slices.Delete(wantTail, 3, 4) // Go 1.17 has no -buildvcs
			}
			if !slices.Equal(args, wantTail) {
				t.Errorf("go called with\n%q\nwant\n%q", args, wantTail)
			}
		})
	}
}

// The go builds a node runs at once divide its CPUs between them.
func TestScriptSharesCPUs(t *testing.T) {
	ops, _ := marshal(t, compile.Binary(testPlan(false), binary("pilot-agent", "linux/amd64"), src(), llb.Scratch(), 3))
	meta := execOp(t, ops).GetExec().GetMeta()
	if !slices.Contains(meta.GetEnv(), "GO_JOBS=3") {
		t.Fatalf("env %q: want GO_JOBS=3", meta.GetEnv())
	}
	for _, tc := range []struct{ nproc, jobs, want string }{{"8", "2", "4"}, {"2", "2", "1"}, {"2", "3", "1"}, {"16", "1", "16"}} {
		_, argsFile := runScript(t, meta.GetArgs()[2], "go1.26.8", "0", "FAKE_NPROC="+tc.nproc, "GO_JOBS="+tc.jobs)
		args := strings.Split(argsFile, "\n")
		if i := slices.Index(args, "-p"); i < 0 || args[i+1] != tc.want {
			t.Errorf("%s CPUs, %s builds at once: go called with %q, want -p %s", tc.nproc, tc.jobs, args, tc.want)
		}
	}
}

// runScript runs script with a fake go on PATH and returns its stdout and the
// arguments go build got, one a line.
func runScript(t *testing.T, script, goVersion, fix string, env ...string) (stdout, args string) {
	t.Helper()
	dir := t.TempDir()
	argsFile := filepath.Join(dir, "args")
	fake := `#!/bin/sh
if [ "$1" = env ] && [ "$2" = GOVERSION ]; then echo "$FAKE_GOVERSION"; exit 0; fi
# Go 1.17's go build stops at a flag it does not know, as the real one does.
case "$FAKE_GOVERSION $*" in go1.1[0-7].*-buildvcs*) echo "flag provided but not defined: -buildvcs" >&2; exit 2;; esac
for a in "$@"; do printf '%s\n' "$a"; done > "$FAKE_ARGS"
`
	if err := os.WriteFile(filepath.Join(dir, "go"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "nproc"), []byte("#!/bin/sh\necho ${FAKE_NPROC:-2}\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), "/bin/sh", "-c", script)
	cmd.Env = []string{
		"PATH=" + dir + ":/usr/bin:/bin",
		"FAKE_GOVERSION=" + goVersion,
		"FAKE_ARGS=" + argsFile,
		"LDFLAGS=-s -w -X istio.io/pkg/version.buildVersion=1.14.3",
		"LINKNAME_FIX=" + fix,
		"TAGS=agent",
		"OUT=/tmp/out/pilot-agent",
		"PKG=./pilot/cmd/pilot-agent",
		"GO_JOBS=2",
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("script: %v; stderr: %s", err, stderrOf(err))
	}
	recorded, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), string(recorded)
}

func stderrOf(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func compileOf(p plan.Plan, b plan.Binary) llb.State {
	return compile.Binary(p, b, src(), compile.Modules(p, b, src()), 2)
}

// TestModules: the download sees only go.mod and go.sum, so its cache holds
// until they change; it gets the user's GOPROXY and go env, the extra CAs as
// a local mount and the .netrc as a secret, never as an argument.
func TestModules(t *testing.T) {
	p := testPlan(false)
	p.Go = plan.Go{Proxy: "https://goproxy.internal", Env: map[string]string{"GONOSUMDB": "corp.example.com"},
		CABundle: "/stage/ca/ca.pem", Netrc: "/home/me/.netrc"}
	b := binary("pilot-agent", "linux/arm64")
	ops, _ := marshal(t, compileOf(p, b))
	ex := execOp(t, ops, "go mod download")
	env := envMap(ex.GetExec().GetMeta().GetEnv())
	if env["GOPROXY"] != "https://goproxy.internal" || env["GONOSUMDB"] != "corp.example.com" || env["GOMODCACHE"] != "/gomod" {
		t.Errorf("download env %v: want the user's GOPROXY and GONOSUMDB, modules in /gomod", env)
	}
	var copies []string
	for _, o := range ops {
		for _, a := range o.GetFile().GetActions() {
			if c := a.GetCopy(); c != nil {
				copies = append(copies, c.GetSrc())
			}
		}
	}
	if !slices.Equal(copies, []string{"/go.*"}) {
		t.Errorf("copies %q: want only go.mod and go.sum (go.*) to reach the download", copies)
	}
	mounts := map[string]*pb.Mount{}
	for _, m := range ex.GetExec().GetMounts() {
		mounts[m.GetDest()] = m
	}
	if m := mounts["/etc/istio-mab-ca"]; m == nil || !m.GetReadonly() {
		t.Errorf("CA mount %v, want the staged --ca-bundle read-only", m)
	}
	if m := mounts["/root/.netrc"]; m == nil || m.GetMountType() != pb.MountType_SECRET || m.GetSecretOpt().GetID() != compile.NetrcSecret {
		t.Errorf(".netrc mount %v, want the %s secret", m, compile.NetrcSecret)
	}
	for _, arg := range ex.GetExec().GetMeta().GetArgs() {
		if strings.Contains(arg, "/home/me/.netrc") {
			t.Errorf("the .netrc path is in the arguments: %q", arg)
		}
	}
	// Another binary of the same node shares the download step.
	other, _ := marshal(t, compile.Modules(p, binary("istioctl", "darwin/amd64"), src()))
	_, mine := marshal(t, compile.Modules(p, b, src()))
	if _, h := marshal(t, compile.Modules(p, binary("istioctl", "darwin/amd64"), src())); h != mine || len(other) == 0 {
		t.Errorf("two binaries on one node got different download steps")
	}
}
