package recipes

import (
	"embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed lines/*.yaml
var linesFS embed.FS

// Selection is the recipe chosen for a version and why.
type Selection struct {
	Recipe  Recipe
	Warning string // set when the version is newer than every known line
}

// Select returns the recipe for an Istio version such as "1.14.3": the
// recipe of its line, or of the nearest older line with a warning.
func Select(version string) (Selection, error) {
	want, err := parseLine(version)
	if err != nil {
		return Selection{}, err
	}
	all, err := Load()
	if err != nil {
		return Selection{}, err
	}
	for i := len(all) - 1; i >= 0; i-- {
		have, _ := parseLine(all[i].Line)
		if have == want {
			return Selection{Recipe: forVersion(all[i], version)}, nil
		}
		if less(have, want) {
			// A newer line's patch numbers say nothing about this line's.
			return Selection{Recipe: all[i], Warning: fmt.Sprintf(
				"no recipe for Istio %s: using the %s recipe, the nearest older line", version, all[i].Line)}, nil
		}
	}
	return Selection{}, fmt.Errorf("version %s: older than the oldest supported line %s", version, all[0].Line)
}

type line struct{ major, minor int }

func less(a, b line) bool { return a.major < b.major || a.major == b.major && a.minor < b.minor }

// parseLine reads the major.minor of "1.22", "1.22.0" or "1.22.0-beta.1".
func parseLine(v string) (line, error) {
	parts := strings.SplitN(v, ".", 3)
	bad := fmt.Errorf("version %q: want MAJOR.MINOR.PATCH as Istio tags it, e.g. 1.22.0 (no leading v)", v)
	if len(parts) < 2 {
		return line{}, bad
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(strings.SplitN(parts[1], "-", 2)[0])
	if err1 != nil || err2 != nil {
		return line{}, bad
	}
	return line{major, minor}, nil
}

// BaseRegistries are the registries upstream's base images came from, over
// every line, for redirecting a Dockerfile's FROMs to a mirror.
func BaseRegistries() ([]string, error) {
	all, err := Load()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range all {
		if r.BaseRegistry != "" && !seen[r.BaseRegistry] {
			seen[r.BaseRegistry] = true
			out = append(out, r.BaseRegistry)
		}
	}
	return out, nil
}
