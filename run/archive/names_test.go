package archive

import (
	"slices"
	"testing"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestDefaultNames(t *testing.T) {
	cases := []struct {
		platform string
		aliases  bool
		want     []string
	}{
		{"linux/amd64", false, []string{"istioctl-1.22.0-linux-amd64.tar.gz"}},
		{"linux/arm64", false, []string{"istioctl-1.22.0-linux-arm64.tar.gz"}},
		{"linux/arm/v7", false, []string{"istioctl-1.22.0-linux-armv7.tar.gz"}},
		{"darwin/amd64", false, []string{"istioctl-1.22.0-osx.tar.gz"}},
		{"darwin/amd64", true, []string{"istioctl-1.22.0-osx.tar.gz", "istioctl-1.22.0-osx-amd64.tar.gz"}},
		{"darwin/arm64", true, []string{"istioctl-1.22.0-osx-arm64.tar.gz"}},
		{"windows/amd64", false, []string{"istioctl-1.22.0-win.zip"}},
		{"windows/amd64", true, []string{"istioctl-1.22.0-win.zip", "istioctl-1.22.0-win-amd64.zip"}},
	}
	for _, c := range cases {
		got, err := DefaultNames("1.22.0", platform(c.platform), c.aliases)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s aliases=%v: got %v, want %v", c.platform, c.aliases, got, c.want)
		}
	}
}

func TestDefaultNamesRejectsUnknownPlatform(t *testing.T) {
	for _, p := range []ocispecs.Platform{{OS: "linux", Architecture: "s390x"}, {OS: "windows", Architecture: "arm64"}, {OS: "linux", Architecture: "arm"}} {
		if _, err := DefaultNames("1.22.0", p, true); err == nil {
			t.Errorf("%s: want error", p)
		}
	}
	if _, err := DefaultNames("", platform("linux/amd64"), true); err == nil {
		t.Error("empty version: want error")
	}
}

func TestDefaults(t *testing.T) {
	for _, c := range []struct {
		aliases bool
		count   int
	}{{false, 6}, {true, 8}} {
		archives, err := Defaults("1.22.0", upstreamBinaries(t), c.aliases)
		if err != nil {
			t.Fatal(err)
		}
		if len(archives) != c.count {
			t.Fatalf("aliases=%v: got %d archives, want %d", c.aliases, len(archives), c.count)
		}
		if err := validateAll(archives); err != nil {
			t.Fatal(err)
		}
	}
}
