package airgap

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// TestInstallFromImportedCharts carries the fixture release with its
// install across the air gap: build pushes upstream's charts of the tag
// beside the lists (H/charts/NAME:1.22.0), and export writes them, the
// images they render and both overrides into the bundle with the lists;
// ztunnel, which istio-mab does not build, comes along by --images from
// the hub holding it. Inside a network namespace, import pushes the bundle
// and the charts, and prints the install; helm, installed by the project's
// scripts, renders each chart pulled from the internal registry with the
// printed values, and every image the rendered workloads run is there.
func TestInstallFromImportedCharts(t *testing.T) {
	s := e2etest.LoadStack(t)
	helm := e2etest.Helm(t)
	src := e2etest.UniqueHub(s)
	seedList(t, src+"/ztunnel", "1.22.0", "1.22.0-debug")
	tmp := t.TempDir()
	bundle, metadata := filepath.Join(tmp, "istio.tar"), filepath.Join(tmp, "metadata.json")
	e2etest.MustBuild(t, append(e2etest.StackArgs(s, "1.22.0", src, t.TempDir()), "--images", "pilot,proxyv2,install-cni", "--progress", "quiet", "--metadata-file", metadata))
	checkPushedCharts(t, metadata)
	e2etest.MustBuild(t, []string{"export", "--version", "1.22.0", "--hub", src, "--images", "pilot,proxyv2,install-cni,ztunnel", "--to", "tar:" + bundle, "--insecure-registry", s.Registry})
	listed := checkBundleInstall(t, bundle, src)

	e2etest.DockerConfig(t, fmt.Sprintf("127.0.0.1:%d", e2etest.OfflineRegistryPort), s.SecureUser, e2etest.SecurePassword(t))
	cfg := e2etest.OfflineRegistryConfig(t, s)
	host := fmt.Sprintf("127.0.0.1:%d", e2etest.OfflineRegistryPort)
	hub := host + "/airgap/istio"
	values := filepath.Join(tmp, "values.yaml")
	mab := e2etest.IstioMab(t)
	out := runOffline(t, s, cfg,
		fmt.Sprintf("%s import --from %s --hub %s --registry-ca %s --values-out %s", mab, bundle, hub, s.SecureCA, values))
	t.Logf("import:\n%s", out)
	installs := helmInstalls(t, out, hub, values)

	rendered := filepath.Join(tmp, "rendered")
	helmEnv := fmt.Sprintf("export HELM_CACHE_HOME=%[1]s/cache HELM_CONFIG_HOME=%[1]s/config HELM_DATA_HOME=%[1]s/data HELM_REGISTRY_CONFIG=%[1]s/registry.json", filepath.Join(tmp, "helm"))
	script := []string{helmEnv, "mkdir -p " + rendered, helm + " version --short",
		fmt.Sprintf("%s registry login %s --username %s --password-stdin --ca-file %s < %s", helm, host, s.SecureUser, s.SecureCA, s.SecurePasswordFile)}
	for i, c := range installs {
		args := strings.Replace(c, "helm install", helm+" template", 1) + " --ca-file " + s.SecureCA
		if strings.Contains(c, "/charts/gateway ") {
			// Upstream's 1.22 gateway schema forbids the `defaults:` key its own
			// values.yaml holds; helm 3.18 and later check it and refuse (with or
			// without our values). Its image is "auto", injected by istiod.
			args += " --skip-schema-validation"
		}
		script = append(script, fmt.Sprintf("%s > %s/%d.yaml", args, rendered, i))
	}
	t.Logf("helm:\n%s", runOffline(t, s, cfg, script...))

	refs := renderedImages(t, rendered)
	t.Logf("rendered images: %v", refs)
	if want := strings.Fields(strings.ReplaceAll(listed, src+"/", hub+"/")); !slices.Equal(refs, want) {
		t.Errorf("the charts render %v; images.txt, for %s, lists %v", refs, hub, want)
	}
	certs := skopeoCerts(t, s)
	auth := filepath.Join(os.Getenv("DOCKER_CONFIG"), "config.json")
	inspect := []string{"set -o pipefail"}
	for _, r := range refs {
		inspect = append(inspect, fmt.Sprintf(`if d=$(skopeo inspect --raw --authfile %s --cert-dir %s docker://%s | sha256sum); then echo "present %s $d"; else echo "missing %s"; fi`, auth, certs, r, r, r))
	}
	present := runOffline(t, s, cfg, inspect...)
	t.Logf("on the internal registry:\n%s", present)
	for _, r := range refs {
		if !strings.Contains(present, "present "+r+" ") {
			t.Errorf("%s, which the rendered install runs, is not on the internal registry", r)
		}
	}
}

// checkPushedCharts checks the build's metadata names the five charts it
// pushed, each tagged in the registry as a complete Helm chart.
func checkPushedCharts(t *testing.T, metadata string) {
	t.Helper()
	var m struct {
		Charts []struct{ Name, Version, Repository, Digest string }
	}
	if err := json.Unmarshal([]byte(readFile(t, metadata)), &m); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range m.Charts {
		names = append(names, c.Name)
		if problem := soak.ChartProblem(t.Context(), c.Repository+":"+c.Version); problem != "" {
			t.Errorf("chart %s:%s: %s", c.Repository, c.Version, problem)
		}
	}
	if want := []string{"base", "istiod", "cni", "ztunnel", "gateway"}; !slices.Equal(names, want) {
		t.Errorf("the metadata lists charts %v, want %v", names, want)
	}
}

// seedList pushes a two-platform list of random images to repo under tags,
// as a hub holding an image istio-mab does not build (ztunnel).
func seedList(t *testing.T, repo string, tags ...string) {
	t.Helper()
	var idx v1.ImageIndex = empty.Index
	for _, arch := range []string{"amd64", "arm64"} {
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: e2etest.RandomImage(t, arch), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	for _, tag := range tags {
		ref, err := name.NewTag(repo+":"+tag, name.Insecure)
		if err != nil {
			t.Fatal(err)
		}
		if err := remote.WriteIndex(ref, idx, remote.WithContext(t.Context())); err != nil {
			t.Fatal(err)
		}
	}
}

// checkBundleInstall checks the install build --output or export put
// into the bundle, as its contents file lists it: the charts, the images the
// charts' values name for hub, and both overrides. It returns images.txt.
func checkBundleInstall(t *testing.T, bundle, hub string) string {
	t.Helper()
	dir := t.TempDir()
	if err := carry.Unpack(t.Context(), bundle, dir); err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, f := range e2etest.ReadContents(t, dir).Files {
		files = append(files, f.Path)
	}
	t.Logf("bundle files: %v", files)
	for _, want := range []string{"charts/base-1.22.0.tgz", "charts/istiod-1.22.0.tgz", "charts/gateway-1.22.0.tgz", "charts/cni-1.22.0.tgz", "charts/ztunnel-1.22.0.tgz", "images.txt", "install/values.yaml", "install/istioctl.txt"} {
		if !slices.Contains(files, want) {
			t.Errorf("the contents file lists no %s", want)
		}
	}
	images := readFile(t, filepath.Join(dir, "images.txt"))
	t.Logf("images.txt:\n%s", images)
	var want string
	for _, n := range []string{"install-cni", "pilot", "proxyv2", "ztunnel"} {
		want += hub + "/" + n + ":1.22.0\n"
	}
	if images != want {
		t.Errorf("images.txt is\n%s\nwant\n%s", images, want)
	}
	if got, want := readFile(t, filepath.Join(dir, "install/istioctl.txt")), fmt.Sprintf("istioctl install --set hub=%s --set tag=1.22.0\n", hub); got != want {
		t.Errorf("install/istioctl.txt is %q, want %q", got, want)
	}
	if got := readFile(t, filepath.Join(dir, "install/values.yaml")); !strings.Contains(got, "hub: "+hub) || !strings.Contains(got, "tag: 1.22.0") {
		t.Errorf("install/values.yaml is\n%s", got)
	}
	return images
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// helmInstalls are the helm install commands import printed, each for a
// chart under hub with the values file it wrote.
func helmInstalls(t *testing.T, out, hub, values string) []string {
	t.Helper()
	var cmds []string
	for _, l := range strings.Split(out, "\n") {
		if c := strings.TrimSpace(l); strings.HasPrefix(c, "helm install ") {
			cmds = append(cmds, c)
		}
	}
	if len(cmds) != 5 {
		t.Fatalf("import printed %d helm install commands, want one per chart (5):\n%s", len(cmds), out)
	}
	for _, c := range cmds {
		if !strings.Contains(c, " oci://"+hub+"/charts/") || !strings.Contains(c, " --version 1.22.0 ") || !strings.Contains(c, " -f "+values) {
			t.Errorf("install command %q does not install from %s/charts with %s", c, hub, values)
		}
	}
	if want := fmt.Sprintf("istioctl install --set hub=%s --set tag=1.22.0", hub); !strings.Contains(out, want) {
		t.Errorf("import printed no %q", want)
	}
	return cmds
}
