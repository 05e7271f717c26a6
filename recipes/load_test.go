package recipes

import (
	"strings"
	"testing"
	"testing/fstest"
)

const minimal = "line: \"1.14\"\nversionPackage: istio.io/pkg/version\n"

func TestLoadRefusesUnknownKeys(t *testing.T) {
	for name, text := range map[string]string{
		"misspelt top-level key": minimal + "linknameFixx: true\n",
		"misspelt image key":     minimal + "images:\n  proxyv2: {dockerfile: x, base: {debug: base}}\n",
		"misspelt patch key":     minimal + "patches:\n  - {from: \"1.14.0\", goimage: golang:1.18}\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := loadFS(fstest.MapFS{"lines/1.14.yaml": {Data: []byte(text)}})
			if err == nil || !strings.Contains(err.Error(), "lines/1.14.yaml") || !strings.Contains(err.Error(), "not found in type") {
				t.Errorf("error %v, want one naming the file and the unknown field", err)
			}
		})
	}
}

func TestLoadRefusesBadPatches(t *testing.T) {
	for name, patch := range map[string]string{
		"other line":       `{from: "1.15.0", linknameFix: true}`,
		"reversed":         `{from: "1.14.5", to: "1.14.1", linknameFix: true}`,
		"no patch number":  `{from: "1.14", linknameFix: true}`,
		"overrides naught": `{from: "1.14.0"}`,
	} {
		t.Run(name, func(t *testing.T) {
			text := minimal + "patches:\n  - " + patch + "\n"
			if _, err := loadFS(fstest.MapFS{"lines/1.14.yaml": {Data: []byte(text)}}); err == nil || !strings.Contains(err.Error(), "patches[0]") {
				t.Errorf("error %v, want one naming patches[0]", err)
			}
		})
	}
}

func TestLoadRefusesEmptyAndBadLine(t *testing.T) {
	for name, text := range map[string]string{"empty": "", "bad line": "line: one\n"} {
		if _, err := loadFS(fstest.MapFS{"lines/x.yaml": {Data: []byte(text)}}); err == nil {
			t.Errorf("%s: loaded, want an error", name)
		}
	}
	if _, err := loadFS(fstest.MapFS{}); err == nil {
		t.Error("no recipes: loaded, want an error")
	}
}

// The embedded recipes themselves load strictly: a misspelt key in
// lines/*.yaml fails here.
func TestEmbeddedRecipesLoad(t *testing.T) {
	all, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 20 {
		t.Errorf("%d recipes, want 20 (1.12 to 1.31)", len(all))
	}
}

func TestForVersion(t *testing.T) {
	on, off := true, false
	r := Recipe{Line: "1.23", GoImage: "go:1.23", Patches: []Patch{
		{From: "1.23.0", To: "1.23.2", GoImage: "go:1.22", LinknameFix: &on},
		{From: "1.23.2", To: "1.23.2", LinknameFix: &off}, // a later entry wins
		{From: "1.23.9", GoImage: "go:1.24"},              // no To: to the end of the line
	}}
	for _, tc := range []struct {
		version  string
		goImage  string
		linkname bool
	}{
		{"1.23.0", "go:1.22", true},
		{"1.23.0-beta.1", "go:1.22", true},
		{"1.23.2", "go:1.22", false},
		{"1.23.3", "go:1.23", false},
		{"1.23.9", "go:1.24", false},
		{"1.23.40", "go:1.24", false},
	} {
		got := forVersion(r, tc.version)
		if got.GoImage != tc.goImage || got.LinknameFix != tc.linkname {
			t.Errorf("%s: go image %s, linkname fix %t; want %s, %t", tc.version, got.GoImage, got.LinknameFix, tc.goImage, tc.linkname)
		}
	}
}

func TestGoImage(t *testing.T) {
	sel, err := Select("1.23.3")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ choice, want, err string }{
		{"", "docker.io/library/golang:1.22", ""},
		{GoMinor, "docker.io/library/golang:1.22", ""},
		{GoUpstream, "docker.io/library/golang:1.22.7", ""},
		{"1.23.4", "docker.io/library/golang:1.23.4", ""},
		{"go1.23", "", `--go "go1.23": want minor, upstream or a Go version`},
	} {
		got, err := GoImage(sel.Recipe, "1.23.3", tc.choice)
		if got != tc.want || (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("GoImage(%q) = %q, %v; want %q, %q", tc.choice, got, err, tc.want, tc.err)
		}
	}
	if _, err := GoImage(sel.Recipe, "1.40.0", GoUpstream); err == nil || !strings.Contains(err.Error(), "not recorded") {
		t.Errorf("--go upstream for an unrecorded tag: %v", err)
	}
	if v, _ := UpstreamGo("1.12.0"); v != "1.17.3" {
		t.Errorf("UpstreamGo(1.12.0) = %q, want 1.17.3", v)
	}
}
