package build

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildMetadataFile: every digest the metadata file lists is what the
// registry serves (lists under their tags, platform manifests, configs,
// sizes), and the GitHub step summary holds the table. A scheduled rerun
// with nothing changed still writes all three (metadata marked up to date,
// step summary, archives into a new --dist) within 2 s.
func TestBuildMetadataFile(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub, dir := e2etest.UniqueHub(s), t.TempDir()
	m, summary := buildWithReports(t, s, hub, filepath.Join(dir, "first"))
	if m.Istio.Version != "1.22.0" || len(m.Istio.Commit) != 40 || !m.Pushed || m.UpToDate || len(m.Images) != 2 || len(m.Archives) != 8 || len(m.Phases) < 4 {
		t.Errorf("metadata %+v: want 1.22.0 at a commit, pushed, 2 images, 8 archives, the phases", m)
	}
	// The stack's Go image is the host's Go; its config says which.
	hostGo := strings.TrimPrefix(runtime.Version(), "go")
	if len(m.Binaries) != 2+2+6 {
		t.Errorf("metadata lists %d binaries, want pilot-discovery and pilot-agent for 2 platforms, istioctl for 6", len(m.Binaries))
	}
	for _, b := range m.Binaries {
		if b.GoVersion != hostGo || !strings.Contains(b.GoImage, "@sha256:") {
			t.Errorf("binary %s %s: Go %q in %s, want %s in an image pinned by digest", b.Name, b.Platform, b.GoVersion, b.GoImage, hostGo)
		}
	}
	checkMetadataAgainstRegistry(t, m, summary)

	start := time.Now()
	again, summary := buildWithReports(t, s, hub, filepath.Join(dir, "rerun"))
	took := time.Since(start)
	t.Logf("up-to-date rerun, archives from the cache: %v", took)
	if !again.UpToDate || len(again.Images) != 2 || took > 2*time.Second {
		t.Errorf("rerun took %v, metadata up to date %t with %d images: want up to date with both lists within 2s", took, again.UpToDate, len(again.Images))
	}
	checkMetadataAgainstRegistry(t, again, summary)
	for i, img := range again.Images {
		if img.List.Digest != m.Images[i].List.Digest {
			t.Errorf("rerun's %s list is %s, the first run's %s", img.Repository, img.List.Digest, m.Images[i].List.Digest)
		}
	}
	if table, _ := os.ReadFile(summary); !strings.Contains(string(table), "Up to date") {
		t.Errorf("the rerun's step summary does not say up to date:\n%s", table)
	}
	e2etest.CheckArchives(t, filepath.Join(dir, "rerun", "dist"), "1.22.0", true)

	// A fresh runner has no archive cache: istioctl alone is compiled.
	start = time.Now()
	fresh, _ := buildWithReports(t, s, hub, filepath.Join(dir, "fresh"), "XDG_CACHE_HOME="+t.TempDir())
	t.Logf("up-to-date rerun without the archive cache (istioctl compiled, BuildKit cache warm): %v", time.Since(start))
	if !fresh.UpToDate || fresh.Images[0].List.Digest != m.Images[0].List.Digest {
		t.Errorf("a rerun without the archive cache: up to date %t, pilot's list %s; want up to date, %s", fresh.UpToDate, fresh.Images[0].List.Digest, m.Images[0].List.Digest)
	}
	e2etest.CheckArchives(t, filepath.Join(dir, "fresh", "dist"), "1.22.0", true)
	for _, n := range e2etest.VertexNames(t, s.BuildkitHost, start) {
		if strings.HasPrefix(n, "compile ") && !strings.HasPrefix(n, "compile istioctl") || strings.HasPrefix(n, "[") {
			t.Errorf("a rerun that only lacked its archives ran %q", n)
		}
	}
}

// buildWithReports builds into dir/dist with a metadata file and a step
// summary there, and reads the metadata.
func buildWithReports(t *testing.T, s e2etest.Stack, hub, dir string, env ...string) (m e2etest.BuildMetadata, summary string) {
	t.Helper()
	file, summary := filepath.Join(dir, "meta", "metadata.json"), filepath.Join(dir, "summary.md")
	args := append(e2etest.StackArgs(s, "1.22.0", hub, filepath.Join(dir, "dist")), "--metadata-file", file)
	res := e2etest.RunIstioMabEnv(t, append(env, "GITHUB_STEP_SUMMARY="+summary), args...)
	if res.Code != 0 {
		t.Fatalf("build exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 30))
	}
	b, err := os.ReadFile(file)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		t.Fatalf("reading %s: %v", file, err)
	}
	return m, summary
}

// checkMetadataAgainstRegistry: every list, tag and platform image the
// metadata names is what the registry serves, and the summary names them.
func checkMetadataAgainstRegistry(t *testing.T, m e2etest.BuildMetadata, summary string) {
	t.Helper()
	for _, img := range m.Images {
		checkListMetadata(t, img.Repository, img.List.Digest, len(img.Platforms))
		for _, tag := range img.Tags {
			if got := e2etest.RemoteIndexDigest(t, img.Repository+":"+tag.Tag); got.String() != img.List.Digest {
				t.Errorf("%s:%s is %s, metadata says %s", img.Repository, tag.Tag, got, img.List.Digest)
			}
		}
		for _, p := range img.Platforms {
			checkPlatformMetadata(t, img.Repository+"@"+p.Manifest, p.Config, p.Size)
		}
	}
	table, _ := os.ReadFile(summary)
	for _, want := range []string{"### Istio 1.22.0", "| manifest list | digest | tags |", m.Images[0].List.Digest, m.Images[0].Platforms[0].Manifest} {
		if !strings.Contains(string(table), want) {
			t.Errorf("step summary lacks %q:\n%s", want, table)
		}
	}
}

func checkListMetadata(t *testing.T, repo, digest string, platforms int) {
	t.Helper()
	im, err := e2etest.RemoteIndex(t, repo+"@"+digest).IndexManifest()
	if err != nil || len(im.Manifests) != platforms {
		t.Errorf("%s@%s: %v, %d entries; metadata lists %d platforms", repo, digest, err, len(im.Manifests), platforms)
	}
}

// checkPlatformMetadata: the manifest exists, has that config, and its
// image size (config plus compressed layers) is the one recorded.
func checkPlatformMetadata(t *testing.T, ref, config string, size int64) {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r, remote.WithContext(t.Context()))
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	want := m.Config.Size
	for _, l := range m.Layers {
		want += l.Size
	}
	if m.Config.Digest.String() != config || size != want {
		t.Errorf("%s: config %s size %d, metadata says %s and %d", ref, m.Config.Digest, want, config, size)
	}
}

// TestBuildUnwritableOutputsFailFirst: an unwritable --dist or metadata
// directory fails with exit 2 before anything is built or pushed; under
// GitHub Actions the failure is also an ::error:: line.
func TestBuildUnwritableOutputsFailFirst(t *testing.T) {
	s := e2etest.LoadStack(t)
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for flag, args := range map[string][]string{
		"--dist":          {"--dist", filepath.Join(blocker, "dist")},
		"--metadata-file": {"--metadata-file", filepath.Join(blocker, "m.json")},
	} {
		t.Run(flag, func(t *testing.T) {
			hub := e2etest.UniqueHub(s)
			all := append(append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), args...), "--progress", "quiet")
			res := e2etest.RunIstioMabEnv(t, []string{"GITHUB_ACTIONS=true"}, all...)
			if res.Code != 2 || !strings.Contains(res.Stderr, flag+" ") || !strings.Contains(res.Stderr, "is not writable") {
				t.Errorf("exit %d, stderr %q: want exit 2 naming %s as not writable", res.Code, res.Stderr, flag)
			}
			if !strings.HasPrefix(res.Stdout, "::error title=istio-mab (exit 2)::") {
				t.Errorf("stdout %q: want a GitHub ::error:: line", res.Stdout)
			}
			repo, _ := name.NewRepository(hub+"/pilot", name.Insecure)
			if tags, err := remote.List(repo); err == nil {
				t.Errorf("%s has tags %v: something was pushed", repo, tags)
			}
		})
	}
}
