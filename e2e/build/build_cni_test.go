package build

import (
	"slices"
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
)

// TestBuildInstallCNI: install-cni, which upstream publishes from the same
// tree, builds for both platforms when --images names it, its binaries in
// the places its Dockerfile copies them to, each checked for its platform
// before the tags move; the default images stay pilot and proxyv2.
func TestBuildInstallCNI(t *testing.T) {
	s := e2etest.LoadStack(t)
	hub := e2etest.UniqueHub(s)
	res := e2etest.RunIstioMab(t, append(e2etest.StackArgs(s, "1.22.0", hub, t.TempDir()), "--images", "pilot,proxyv2,install-cni", "--progress", "quiet")...)
	if res.Code != 0 {
		t.Fatalf("build exited %d:\n%s", res.Code, e2etest.Tail(res.Stderr, 40))
	}
	ref := hub + "/install-cni:1.22.0"
	idx := e2etest.RemoteIndex(t, ref)
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range m.Manifests {
		pl := d.Platform.OS + "/" + d.Platform.Architecture
		got = append(got, pl)
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(cfg.Config.Cmd, []string{"/usr/local/bin/install-cni"}) || cfg.Config.WorkingDir != "/opt/cni/bin" {
			t.Errorf("%s %s: CMD %q WORKDIR %q, want upstream's", ref, pl, cfg.Config.Cmd, cfg.Config.WorkingDir)
		}
		files := e2etest.ImageFiles(t, img, "/usr/local/bin/install-cni", "/opt/cni/bin/istio-cni")
		for path, b := range files {
			if bp := e2etest.BinaryPlatform(b); bp != pl {
				t.Errorf("%s %s: %s is for %s", ref, pl, path, bp)
			}
		}
		if d.Platform.Architecture == "arm64" {
			e2etest.CheckVersionUnderQEMU(t, files["/opt/cni/bin/istio-cni"], "1.22.0")
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
		t.Errorf("%s: platforms %v, want linux/amd64 and linux/arm64", ref, got)
	}
	for _, image := range []string{"pilot", "proxyv2"} {
		e2etest.CheckImage(t, hub+"/"+image+":1.22.0", image, "1.22.0")
	}
}
