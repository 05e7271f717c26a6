package install

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// fixtureCharts is upstream's manifests/charts of 1.22.0, as the e2e
// fixture holds it.
var fixtureCharts = filepath.Join("..", "..", "e2e", "testdata", "fixture", "1.22.0", "manifests", "charts")

func TestImagesOfUpstreamCharts(t *testing.T) {
	charts, err := PackageAll(fixtureCharts, "1.22.0", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range charts {
		names = append(names, c.File())
	}
	want := []string{"charts/base-1.22.0.tgz", "charts/istiod-1.22.0.tgz", "charts/gateway-1.22.0.tgz", "charts/cni-1.22.0.tgz", "charts/ztunnel-1.22.0.tgz"}
	if !slices.Equal(names, want) {
		t.Errorf("packaged %v, want %v", names, want)
	}
	images, err := Images(charts, "reg.internal/istio", "1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	wantImages := []string{"reg.internal/istio/install-cni:1.22.0", "reg.internal/istio/pilot:1.22.0", "reg.internal/istio/proxyv2:1.22.0", "reg.internal/istio/ztunnel:1.22.0"}
	if !slices.Equal(images, wantImages) {
		t.Errorf("images %v, want %v", images, wantImages)
	}
}

func TestPackageIsReproducibleAndReadsBack(t *testing.T) {
	a, err := Package(filepath.Join(fixtureCharts, "ztunnel"), "1.22.0", time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Package(filepath.Join(fixtureCharts, "ztunnel"), "1.22.0", time.Unix(1700000000, 0))
	if string(a.Package) != string(b.Package) {
		t.Error("the same tree packaged twice differs")
	}
	c, m, err := chart(a.Package)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "ztunnel" || m["version"] != "1.22.0" || m["appVersion"] != "1.22.0" || len(c.Values) == 0 {
		t.Errorf("read back %s %v values %d bytes", c.Name, m, len(c.Values))
	}
	if got := ChartSets(c, "h", "t"); !slices.Equal(got, []string{"--set", "hub=h", "--set", "tag=t"}) {
		t.Errorf("ztunnel's own hub and tag: %v", got)
	}
}

func TestArtefactIsHelms(t *testing.T) {
	c, err := Package(filepath.Join(fixtureCharts, "base"), "1.22.0", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	a, err := NewArtefact(c)
	if err != nil {
		t.Fatal(err)
	}
	var man v1.Manifest
	if err := json.Unmarshal(a.Manifest, &man); err != nil {
		t.Fatal(err)
	}
	if man.Config.MediaType != "application/vnd.cncf.helm.config.v1+json" || len(man.Layers) != 1 || man.Layers[0].MediaType != "application/vnd.cncf.helm.chart.content.v1.tar+gzip" {
		t.Errorf("manifest %s", a.Manifest)
	}
	var cfg map[string]any
	if err := json.Unmarshal(a.config, &cfg); err != nil || cfg["name"] != "base" || cfg["version"] != "1.22.0" {
		t.Errorf("config %s: %v", a.config, err)
	}
}

func TestInstallOrder(t *testing.T) {
	charts := []Chart{{Name: "base"}, {Name: "cni"}, {Name: "extra"}, {Name: "gateway"}, {Name: "istiod"}, {Name: "ztunnel"}}
	var got []string
	for _, i := range installOrder(charts) {
		got = append(got, charts[i].Name)
	}
	if want := []string{"base", "istiod", "cni", "ztunnel", "gateway", "extra"}; !slices.Equal(got, want) {
		t.Errorf("install order %v, want %v", got, want)
	}
}

// A package whose Chart.yaml names another chart than its file would be
// pushed to another repository than the bundle says: refused.
func TestReadRefusesAChartNamedOtherwise(t *testing.T) {
	c, err := Package(filepath.Join(fixtureCharts, "ztunnel"), "1.22.0", time.Unix(0, 0))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Write(dir, []Chart{c}, "h", "1.22.0"); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(dir, []string{c.File()}); err != nil {
		t.Fatalf("reading %s: %v", c.File(), err)
	}
	renamed := filepath.Join(dir, "charts", "base-1.22.0.tgz")
	if err := os.Rename(filepath.Join(dir, filepath.FromSlash(c.File())), renamed); err != nil {
		t.Fatal(err)
	}
	_, err = Read(dir, []string{"charts/base-1.22.0.tgz"})
	if err == nil || !strings.Contains(err.Error(), `names "ztunnel"`) {
		t.Errorf("reading a ztunnel package named base: %v", err)
	}
}
