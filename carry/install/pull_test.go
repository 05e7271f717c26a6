package install

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/failure"
)

func insecure(s string) (name.Repository, error) { return name.NewRepository(s, name.Insecure) }

// Charts written by digest are not found by version until tagged; once
// tagged, Pull reads back every package byte for byte, in install order,
// skipping the charts the hub lacks.
func TestChartsWriteTagPull(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	hub := strings.TrimPrefix(srv.URL, "http://") + "/istio"
	var charts []Chart
	for _, n := range []string{"ztunnel", "base"} {
		c, err := Package(fixtureCharts+"/"+n, "1.22.0", time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		charts = append(charts, c)
	}
	c, err := ForHub(insecure, hub, charts)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Write(); err != nil {
		t.Fatal(err)
	}
	if got, err := Pull(insecure, hub, "1.22.0"); err != nil || len(got) != 0 {
		t.Fatalf("before the tags moved, Pull found %d charts (%v)", len(got), err)
	}
	if err := c.Tag(); err != nil {
		t.Fatal(err)
	}
	got, err := Pull(insecure, hub, "1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Name != "base" || got[1].Name != "ztunnel" {
		t.Fatalf("pulled %d charts: %v", len(got), names(got))
	}
	if string(got[0].Package) != string(charts[1].Package) || len(got[1].Values) == 0 {
		t.Error("the pulled base package differs from the pushed one")
	}
}

// A manifest under a chart's repository that is not Helm's is refused.
func TestPullRefusesAnImageAsChart(t *testing.T) {
	srv := httptest.NewServer(registry.New())
	defer srv.Close()
	hub := strings.TrimPrefix(srv.URL, "http://") + "/istio"
	repo, _ := insecure(ChartRepo(hub, "base"))
	if err := remote.Put(repo.Tag("1.22.0"), rawManifest{[]byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},"layers":[]}`)}); err != nil {
		t.Fatal(err)
	}
	_, err := Pull(insecure, hub, "1.22.0")
	if err == nil || !strings.Contains(err.Error(), "is not a Helm chart") || failure.Code(err) != failure.CodeVerify {
		t.Errorf("an image under charts/base: exit %d, %v", failure.Code(err), err)
	}
}

func names(cs []Chart) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}
