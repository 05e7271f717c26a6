package main

import (
	"bytes"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/spf13/cobra"
)

// execute runs the whole command tree as main does, returning stdout,
// stderr and the exit code main would use.
func execute(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	root := newRootCommand()
	var out, errb bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&errb)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	if err != nil {
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), failure.Code(err)
}

// Usage errors exit 2 wherever cobra or the options find them; nothing
// here reaches a daemon or registry.
func TestUsageErrorsExit2(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"biuld"}, want: "did you mean build?"},
		{args: []string{"build", "--bogus"}, want: "unknown flag: --bogus"},
		{args: []string{"mirror", "--version", "1.14.3", "--hub", "reg.example.com/istio"}, want: "upstream published Istio 1.14.3 for amd64 only: rebuild it"},
		{args: []string{"build", "--progres", "plain"}, want: "unknown flag: --progres: did you mean --progress?"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--strict"}, env: map[string]string{"ISTIO_MAB_REALSIZE": "1"}, want: "unknown variable ISTIO_MAB_REALSIZE (unset it"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x"}, env: map[string]string{"ISTIO_MAB_REALSIZE": "1", "ISTIO_MAB_STRICT": "true"}, want: "unknown variable ISTIO_MAB_REALSIZE (unset it"},
		{args: []string{"build", "--push=yes"}, want: `invalid argument "yes" for "--push"`},
		{args: []string{"build", "--jobs", "lots"}, want: `invalid argument "lots" for "--jobs"`},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "extra"}, want: `unknown command "extra"`},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--jobs", "0"}, want: "--jobs 0: want at least 1"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x"}, env: map[string]string{"ISTIO_MAB_PUSH": "yes"}, want: "ISTIO_MAB_PUSH"},
		{args: []string{"verify"}, want: "name what to verify"},
		{args: []string{"verify", "--hub", "x", "registry.example.com/istio/pilot:1.22.0"}, want: "not both"},
		{args: []string{"verify", "registry.example.com/istio/ztunnel:1.22.0"}, want: "its repository must end in one of install-cni, pilot, proxyv2"},
		{args: []string{"verify", "--version", "1.22.0", "--hub", "x", "--variants", "slim"}, want: `variant "slim": image pilot has only debug, distroless`},
		{args: []string{"verify", "--version", "1.22.0", "--hub", "x", "--platform", "linux/s390x"}, want: `unsupported platform "linux/s390x"`},
		{args: []string{"version", "extra"}, want: "unknown command"},
		{args: []string{"import", "--from", "x", "--hub", "https://Bad/istio"}, want: "is not a registry/namespace"},
		{args: []string{"export", "--version", "1.22.0", "--to", "oci-layout:x", "--hub", "reg.example.com/istio@sha256"}, want: "is not a registry/namespace"},
		{args: []string{"mirror", "--version", "1.22.0", "--hub", "Reg.example.com/UPPER"}, want: "is not a registry/namespace"},
		{args: []string{"import", "--from", "x"}, want: "--hub is required"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--platform", "linux/amd64", "--platform", "linux/amd64"},
			want: "platform linux/amd64 is listed twice"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--platform", "all,linux/amd64"}, want: "--platforms all names every platform"},
		{args: []string{"mirror", "--version", "1.22.0", "--hub", "x", "--tag", "a", "--tag", "b"}, want: `--tag is given twice ("a", then "b"): a run moves one tag; give it once`},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "oci-layout:/tmp/l", "--push=true"}, want: "--output writes a layout instead of pushing"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "oci-layout:/tmp/l", "--dist", "/tmp/d"}, want: "drop --dist"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "tar:/nonexistent/b.tar", "--split", "4X"}, want: `--split "4X" is no size: give bytes or a whole number with K, M, G or T`},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "tar:/nonexistent/b.tar", "--split", "100K"}, want: "below 1M, the smallest part: e.g. --split 700M"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "oci-layout:/nonexistent/l", "--split", "4G"}, want: "--split cuts a tarball into parts: give --output tar:FILE"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--split", "4G"}, want: "--split cuts a tarball into parts"},
		{args: []string{"export", "--version", "1.22.0", "--hub", "x", "--to", "tar:/nonexistent/b.tar", "--split", "0"}, want: `--split "0" is no size`},
		{args: []string{"export", "--version", "1.22.0", "--hub", "x", "--to", "/nonexistent/l", "--split", "700M"}, want: "give --to tar:FILE, e.g. --to tar:istio.tar --split 4G"},
		{args: []string{"mirror", "--version", "1.22.0", "--hub", "x", "--split", "700M"}, want: "--split cuts a tarball into parts: give --to tar:FILE"},
		{args: []string{"mirror", "--version", "1.22.0", "--to", "tar:/nonexistent/m.tar", "--split", "7 G"}, want: `--split "7 G" is no size`},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--since", "/tmp/b"}, want: "--since makes the layout of --output a delta: give --output too"},
		{args: []string{"build", "--version", "1.22.0", "--hub", "x", "--output", "oci-layout:/tmp/l", "--since", "/nonexistent/b"}, want: "--since /nonexistent/b: stat /nonexistent/b: no such file"},
		{args: []string{"export", "--version", "1.22.0", "--hub", "127.0.0.1:1/istio", "--to", "oci-layout:/tmp/l", "--since", "/nonexistent/b"}, want: "--since /nonexistent/b: stat"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, stderr, code := execute(t, tc.args...)
			if code != failure.CodeUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, stderr, tc.want)
			}
		})
	}
}

func TestPlatformIsAnAliasOfPlatforms(t *testing.T) {
	cleanEnv(t)
	o := mustParse(t, base("--platform", "linux/arm64")...)
	if got := formats(o.Options.Platforms); !slices.Equal(got, []string{"linux/arm64"}) {
		t.Errorf("--platform linux/arm64 gave platforms %v", got)
	}
	cmd := newRootCommand()
	build, _, err := cmd.Find([]string{"build"})
	if err != nil {
		t.Fatal(err)
	}
	if err := build.ParseFlags([]string{"--platform", "linux/amd64"}); err != nil || build.Flags().Lookup("platforms").Value.String() != "linux/amd64" {
		t.Errorf("build --platform: %v, platforms %q", err, build.Flags().Lookup("platforms").Value)
	}
}

func TestCommandsHaveExamples(t *testing.T) {
	for _, c := range newRootCommand().Commands() {
		if c.Name() != "version" && !strings.Contains(c.Example, "istio-mab "+c.Name()) {
			t.Errorf("%s --help has no example", c.Name())
		}
	}
}

func TestVersionLines(t *testing.T) {
	info := &debug.BuildInfo{
		Main: debug.Module{Version: "v1.2.3"},
		Deps: []*debug.Module{{Path: "github.com/moby/buildkit", Version: "v0.34.2"}},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "abc123"}, {Key: "vcs.modified", Value: "true"},
		},
	}
	got := strings.Join(versionLines(info), "\n")
	for _, want := range []string{"istio-mab: v1.2.3", "commit:    abc123 (modified)", "go:        go1.", "buildkit:  v0.34.2 (client)"} {
		if !strings.Contains(got, want) {
			t.Errorf("version output\n%s\nlacks %q", got, want)
		}
	}
	if got := strings.Join(versionLines(nil), "\n"); !strings.Contains(got, "istio-mab: unknown") {
		t.Errorf("without build info:\n%s", got)
	}
	out, _, code := execute(t, "version")
	if code != 0 || !strings.Contains(out, "buildkit:  v0.") {
		t.Errorf("istio-mab version exited %d:\n%s", code, out)
	}
}

// complete asks cobra's hidden completion command, as the shell scripts do.
func complete(t *testing.T, args ...string) []string {
	t.Helper()
	out, _, code := execute(t, append([]string{cobra.ShellCompRequestCmd}, args...)...)
	if code != 0 {
		t.Fatalf("completing %q exited %d", args, code)
	}
	var got []string
	for _, line := range strings.Split(out, "\n") {
		if line != "" && !strings.HasPrefix(line, ":") && !strings.HasPrefix(line, "Completion ended") {
			got = append(got, strings.SplitN(line, "\t", 2)[0])
		}
	}
	return got
}

func TestFlagValueCompletion(t *testing.T) {
	cleanEnv(t)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"build", "--platforms", "linux/amd64,"}, []string{"linux/amd64,linux/arm64"}},
		{[]string{"verify", "--platform", "linux/a"}, []string{"linux/amd64", "linux/arm64"}},
		{[]string{"build", "--version", "1.2"}, []string{"1.20.", "1.21.", "1.22."}},
		{[]string{"build", "--variants", "debug,"}, []string{"debug,distroless"}},
		{[]string{"build", "--images", ""}, []string{"pilot", "proxyv2"}},
		{[]string{"build", "--progress", ""}, []string{"auto", "tty", "plain", "rawjson", "quiet"}},
	} {
		got := complete(t, tc.args...)
		for _, w := range tc.want {
			if !slices.Contains(got, w) {
				t.Errorf("completing %q: %q, want %q among them", tc.args, got, w)
			}
		}
	}
	if got := complete(t, "build", "--version", "1.14"); !slices.Equal(got, []string{"1.14."}) {
		t.Errorf("completing --version 1.14: %q, want only 1.14.", got)
	}
}

// A registry that refuses connections is exit 3 wherever lists are read.
func TestUnreachableRegistryExits3(t *testing.T) {
	cleanEnv(t)
	down := "127.0.0.1:9" // the discard port: nothing listens on loopback
	for _, args := range [][]string{
		{"export", "--version", "1.22.0", "--hub", down + "/istio", "--insecure-registry", down, "--to", "oci-layout:" + t.TempDir()},
		{"mirror", "--version", "1.22.0", "--from", down + "/istio", "--hub", down + "/copy", "--insecure-registry", down},
	} {
		t.Run(args[0], func(t *testing.T) {
			_, stderr, code := execute(t, args...)
			if code != failure.CodeRegistry {
				t.Errorf("exit %d, want 3: %s", code, stderr)
			}
		})
	}
}
