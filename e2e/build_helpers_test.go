package e2e

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
	// cacheHome is istio-mab's XDG_CACHE_HOME in the tests: its kept
	// exports go away with the command, not into the user's cache.
	cacheHome string
)

// TestMain removes the command built for the tests once they are done.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// istioMab builds the command once per test binary.
func istioMab(t testing.TB) string {
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

type runResult struct {
	stdout, stderr string
	code           int
}

func runIstioMab(t *testing.T, args ...string) runResult {
	t.Helper()
	return runIstioMabEnv(t, nil, args...)
}

// runIstioMabEnv runs istio-mab with env added to an environment free of
// ISTIO_MAB_* variables: the developer's own settings, or the stack's port
// overrides (ISTIO_MAB_REGISTRY_PORT, ...), would change the test or be
// refused as unknown settings.
func runIstioMabEnv(t *testing.T, env []string, args ...string) runResult {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), istioMab(t), args...)
	cmd.Env = istioMabEnv(env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running istio-mab: %v", err)
	}
	return runResult{out.String(), errb.String(), code}
}

// istioMabEnv is the test's environment without ISTIO_MAB_* variables, plus env.
func istioMabEnv(env ...string) []string {
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

// uniqueHub gives each test its own namespace, so results never mix.
func uniqueHub(s Stack) string {
	b := make([]byte, 4)
	rand.Read(b)
	return s.Registry + "/e2e-" + hex.EncodeToString(b) + "/istio"
}

// stackArgs point a build at the local stack instead of upstream.
func stackArgs(s Stack, version, hub, dist string) []string {
	return []string{"build", "--version", version, "--hub", hub, "--source", s.GitURL,
		"--buildkit-addr", s.BuildkitHost, "--go-image", s.GoImage, "--base-registry", s.BaseRegistry,
		"--envoy-base-url", s.EnvoyBaseURL, "--insecure-registry", s.Registry, "--dist", dist,
		"--progress", "rawjson", "--provenance=false", "--sbom=false"}
}

// attested turns on the attestations stackArgs turns off: provenance, and
// the SBOM when the stack has a generator image.
func attested(s Stack, args []string) []string {
	args = append(args, "--provenance=true")
	if gen := os.Getenv("SBOM_GENERATOR"); gen != "" {
		return append(args, "--sbom=true", "--sbom-generator", gen)
	}
	return args
}

func remoteIndex(t *testing.T, ref string) v1.ImageIndex {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("reading index %s: %v", ref, err)
	}
	return idx
}

// walkImage calls fn for each named file in the image's flattened
// filesystem (whiteouts applied), reading layers without running anything.
func walkImage(t *testing.T, img v1.Image, paths []string, fn func(path string, h *tar.Header, r io.Reader)) {
	t.Helper()
	want := map[string]bool{}
	for _, p := range paths {
		want[strings.TrimPrefix(p, "/")] = true
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if p := strings.TrimPrefix(h.Name, "./"); want[p] {
			fn("/"+p, h, tr)
		}
	}
}

// imageModes reads the permission bits of the named files.
func imageModes(t *testing.T, img v1.Image, paths ...string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	walkImage(t, img, paths, func(p string, h *tar.Header, _ io.Reader) { out[p] = h.Mode & 0o777 })
	return out
}

// imageFiles reads the named files; each must exist.
func imageFiles(t *testing.T, img v1.Image, paths ...string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	walkImage(t, img, paths, func(p string, _ *tar.Header, r io.Reader) {
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out[p] = b
	})
	for _, p := range paths {
		if _, ok := out[p]; !ok {
			t.Errorf("image has no %s", p)
		}
	}
	return out
}

// completedVertices parses --progress rawjson output: name -> whether every
// completion of that vertex was a cache hit.
func completedVertices(t *testing.T, rawjson string) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct {
				Name      string `json:"name"`
				Cached    bool   `json:"cached"`
				Completed any    `json:"completed"`
			} `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, v := range status.Vertexes {
			if v.Completed == nil {
				continue
			}
			prev, seen := out[v.Name]
			out[v.Name] = v.Cached && (prev || !seen)
		}
	}
	return out
}

// eachConfig calls fn with the config of every platform image of the list ref.
func eachConfig(t *testing.T, ref string, fn func(arch string, cfg *v1.ConfigFile)) {
	t.Helper()
	idx := remoteIndex(t, ref)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		fn(d.Platform.Architecture, cfg)
	}
}

// failedVertices parses --progress rawjson output: the names of the
// vertices that ended with an error, in the order they failed.
func failedVertices(t *testing.T, rawjson string) []string {
	t.Helper()
	var out []string
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Vertexes []struct {
				Name  string `json:"name"`
				Error string `json:"error"`
			} `json:"vertexes"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, v := range status.Vertexes {
			if v.Error != "" && !slices.Contains(out, v.Name) && !strings.Contains(v.Error, "context canceled") {
				out = append(out, v.Name)
			}
		}
	}
	return out
}

// progressLogs is every step's output in --progress rawjson output, decoded
// (rawjson carries it base64-encoded).
func progressLogs(t *testing.T, rawjson string) string {
	t.Helper()
	var out strings.Builder
	sc := bufio.NewScanner(strings.NewReader(rawjson))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var status struct {
			Logs []struct {
				Data []byte `json:"data"`
			} `json:"logs"`
		}
		if json.Unmarshal(sc.Bytes(), &status) != nil {
			continue
		}
		for _, l := range status.Logs {
			out.Write(l.Data)
		}
	}
	return out.String()
}
