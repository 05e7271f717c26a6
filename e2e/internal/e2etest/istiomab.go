package e2etest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	// cacheHome is istio-mab's XDG_CACHE_HOME in the tests: its kept
	// exports go away with the command, not into the user's cache.
	cacheHome string
)

// Main runs the tests, as a package's TestMain calls it, then removes the
// command IstioMab built for them.
func Main(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// IstioMab builds the command once per test binary: each test package
// builds its own, which Main removes.
func IstioMab(t testing.TB) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "istio-mab-e2e-")
		if err != nil {
			buildErr = err
			return
		}
		binPath, cacheHome = filepath.Join(dir, "istio-mab"), filepath.Join(dir, "cache")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/istio-mab/istio-mab/cmd/istio-mab").CombinedOutput()
		if err != nil {
			buildErr = &exec.ExitError{Stderr: out}
		}
	})
	if buildErr != nil {
		t.Fatalf("building istio-mab: %v", buildErr)
	}
	return binPath
}

// Result is what a run of istio-mab printed, and its exit code.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// RunIstioMab runs istio-mab with args, as RunIstioMabEnv does with no
// environment added.
func RunIstioMab(t *testing.T, args ...string) Result {
	t.Helper()
	return RunIstioMabEnv(t, nil, args...)
}

// RunIstioMabEnv runs istio-mab with env added to an environment free of
// ISTIO_MAB_* variables: the developer's own settings, or the stack's port
// overrides (ISTIO_MAB_REGISTRY_PORT, ...), would change the test or be
// refused as unknown settings.
func RunIstioMabEnv(t *testing.T, env []string, args ...string) Result {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), IstioMab(t), args...)
	cmd.Env = IstioMabEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running istio-mab: %v", err)
	}
	return Result{out.String(), errb.String(), code}
}

// IstioMabEnv is the test's environment without ISTIO_MAB_* variables, plus env.
func IstioMabEnv(env ...string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ISTIO_MAB_") {
			out = append(out, kv)
		}
	}
	if cacheHome != "" {
		out = append(out, "XDG_CACHE_HOME="+cacheHome)
	}
	return append(out, env...)
}

// UniqueHub gives each test its own namespace, so results never mix.
func UniqueHub(s Stack) string {
	b := make([]byte, 4)
	rand.Read(b)
	return s.Registry + "/e2e-" + hex.EncodeToString(b) + "/istio"
}

// StackArgs point a build at the local stack instead of upstream.
func StackArgs(s Stack, version, hub, dist string) []string {
	args := []string{"build", "--version", version, "--hub", hub, "--source", s.GitURL,
		"--buildkit-addr", s.BuildkitHost, "--go-image", s.GoImage, "--base-registry", s.BaseRegistry,
		"--envoy-base-url", s.EnvoyBaseURL, "--insecure-registry", s.Registry,
		"--progress", "rawjson", "--provenance=false", "--sbom=false"}
	if dist == "" { // --output: the archives go into the layout
		return args
	}
	return append(args, "--dist", dist)
}

// Attested turns on the attestations StackArgs turns off: provenance, and
// the SBOM when the stack has a generator image.
func Attested(s Stack, args []string) []string {
	args = append(args, "--provenance=true")
	if gen := os.Getenv("SBOM_GENERATOR"); gen != "" {
		return append(args, "--sbom=true", "--sbom-generator", gen)
	}
	return args
}

// MustBuild runs istio-mab with args, failing the test unless it exits 0.
func MustBuild(t *testing.T, args []string) Result {
	t.Helper()
	res := RunIstioMab(t, args...)
	if res.Code != 0 {
		t.Fatalf("exited %d:\n%s", res.Code, Tail(res.Stderr, 30))
	}
	return res
}

// Refuses runs istio-mab expecting a one-line error containing message and
// no change to the registry.
func Refuses(t *testing.T, s Stack, args []string, message string) {
	t.Helper()
	before := Catalog(t, s)
	res := RunIstioMab(t, append(args, "--progress", "quiet")...)
	var lines []string // the error, one line; warnings before it are allowed
	for _, l := range strings.Split(strings.TrimSpace(res.Stderr), "\n") {
		if !strings.HasPrefix(l, "warning: ") {
			lines = append(lines, l)
		}
	}
	if res.Code == 0 || len(lines) != 1 || !strings.Contains(lines[0], message) {
		t.Errorf("exit %d, stderr:\n%s\nwant failure with one line containing %q", res.Code, res.Stderr, message)
	}
	if after := Catalog(t, s); !slices.Equal(before, after) {
		t.Errorf("registry repositories changed from %v to %v: something was pushed", before, after)
	}
}

// Tail is the last n lines of s, for failure messages.
func Tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// BuildMetadata is the part of docs/metadata.md the tests check.
type BuildMetadata struct {
	Istio    struct{ Version, Commit string }
	Pushed   bool
	UpToDate bool
	Images   []struct {
		Name, Variant, Repository string
		List                      struct{ Digest, MediaType string }
		Tags                      []struct{ Tag, Previous string }
		Platforms                 []struct {
			Platform, Manifest, Config string
			Size                       int64
		}
		Attestations []struct{ Manifest, Subject string }
		Signatures   []struct{ Subject, PredicateType, Digest, Storage string }
	}
	Archives []struct{ Name, SHA256 string }
	Binaries []struct{ Name, Platform, GoImage, GoVersion string }
	Phases   []struct {
		Name    string
		Seconds float64
	}
}
