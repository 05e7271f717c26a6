package image

import (
	"os"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client"
)

func TestOCIExportPushesNothing(t *testing.T) {
	f, err := os.Create(t.TempDir() + "/img.tar")
	if err != nil {
		t.Fatal(err)
	}
	e := OCIExport("registry.example.com/istio/pilot", f, plan.OCI)
	if e.Type != client.ExporterOCI || e.Output == nil {
		t.Fatalf("export %+v: want an OCI tarball written to the file", e)
	}
	for _, k := range []string{"push", "push-by-digest", "registry.insecure"} {
		if _, ok := e.Attrs[k]; ok {
			t.Errorf("attr %s set on a local export", k)
		}
	}
	if e.Attrs["rewrite-timestamp"] != "true" || e.Attrs["oci-mediatypes"] != "true" {
		t.Errorf("attrs %v: want the same image as a pushed one", e.Attrs)
	}
	w, err := e.Output(nil)
	if err != nil || w != f {
		t.Fatalf("Output gave %v, %v", w, err)
	}
	w.Close()
}
