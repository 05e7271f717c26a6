package plan

import (
	"strings"
	"testing"

	"github.com/istio-mab/istio-mab/recipes"
)

func TestParseMediaTypes(t *testing.T) {
	for in, want := range map[string]MediaTypes{"": OCI, "oci": OCI, "docker": Docker} {
		if got, err := ParseMediaTypes(in); err != nil || got != want {
			t.Errorf("ParseMediaTypes(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseMediaTypes("OCI1"); err == nil || !strings.Contains(err.Error(), "use oci") {
		t.Errorf("unknown value: got %v", err)
	}
}

func TestNewDefaultsToOCI(t *testing.T) {
	sel, err := recipes.Select("1.22.0")
	if err != nil {
		t.Fatal(err)
	}
	o := Options{Version: "1.22.0", Hub: "registry.example.com/istio"}
	p, err := New(o, sel.Recipe, Facts{})
	if err != nil {
		t.Fatal(err)
	}
	if p.MediaTypes != OCI {
		t.Errorf("default media types %q, want oci", p.MediaTypes)
	}
	o.MediaTypes = Docker
	if p, _ = New(o, sel.Recipe, Facts{}); p.MediaTypes != Docker {
		t.Errorf("media types %q, want docker", p.MediaTypes)
	}
}
