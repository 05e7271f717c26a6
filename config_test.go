package istiomab

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeConfig(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "istio-mab") // no extension: YAML all the same
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func anyKey(string) error { return nil }

// Values come back as written: a tag 1.20 is not the number 1.2.
func TestReadConfigKeepsTheText(t *testing.T) {
	got, err := ReadConfig(writeConfig(t, "tag: 1.20\npush: false\nplatforms: [linux/arm64]\nhub:\n"), anyKey)
	want := map[string]any{"tag": "1.20", "push": "false", "platforms": []string{"linux/arm64"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("ReadConfig = %#v, %v; want %#v", got, err, want)
	}
}

func TestReadConfigErrors(t *testing.T) {
	refuse := func(key string) error {
		if key == "hubb" {
			return fmt.Errorf("unknown key %q", key)
		}
		return nil
	}
	for content, want := range map[string]string{
		"hub: a\nhub: b\n":         "line 2: key hub is given twice (first on line 1)",
		"tag: x\nhubb: a\n":        `line 2: unknown key "hubb"`,
		"envoy:\n  linux/arm64: x": "line 1: key envoy: want a value or a list of values",
		"- hub\n":                  "want a YAML mapping of flag names to values",
		"hub: [unclosed\n":         "reading config",
	} {
		path := writeConfig(t, content)
		if _, err := ReadConfig(path, refuse); err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("%q: error %v, want one naming %s and %q", content, err, path, want)
		}
	}
}
