package recipes

import (
	"fmt"
	"strconv"
	"strings"
)

// Patch overrides line-wide settings for a range of patch releases:
// upstream changed its Go build image, and its dependencies, within lines.
type Patch struct {
	From        string `yaml:"from"`        // first patch release it applies to, e.g. "1.23.1"
	To          string `yaml:"to"`          // last one, inclusive; empty: to the end of the line
	GoImage     string `yaml:"goImage"`     // replaces the line's goImage when set
	LinknameFix *bool  `yaml:"linknameFix"` // replaces the line's linknameFix when set
}

// forVersion applies the patches covering version to the line's recipe.
// Later entries win, so a recipe can state a range and then its exceptions.
func forVersion(r Recipe, version string) Recipe {
	n, err := patchNumber(version)
	if err != nil {
		return r
	}
	for _, p := range r.Patches {
		from, _ := patchNumber(p.From) // checked when loaded
		to, err := patchNumber(p.To)
		if n < from || (err == nil && n > to) {
			continue
		}
		if p.GoImage != "" {
			r.GoImage = p.GoImage
		}
		if p.LinknameFix != nil {
			r.LinknameFix = *p.LinknameFix
		}
	}
	return r
}

// checkPatches refuses ranges outside the recipe's line or reversed, which
// would silently never apply.
func checkPatches(r Recipe) error {
	want, _ := parseLine(r.Line)
	for i, p := range r.Patches {
		bounds := []string{p.From}
		if p.To != "" {
			bounds = append(bounds, p.To)
		}
		for _, v := range bounds {
			l, err := parseLine(v)
			if _, perr := patchNumber(v); err != nil || perr != nil || l != want {
				return fmt.Errorf("patches[%d]: %q is not a %s.N patch release", i, v, r.Line)
			}
		}
		if len(bounds) == 2 {
			from, _ := patchNumber(p.From)
			to, _ := patchNumber(p.To)
			if to < from {
				return fmt.Errorf("patches[%d]: to %s is before from %s", i, p.To, p.From)
			}
		}
		if p.GoImage == "" && p.LinknameFix == nil {
			return fmt.Errorf("patches[%d]: sets neither goImage nor linknameFix", i)
		}
	}
	return nil
}

// patchNumber reads the patch of "1.23.6" or "1.23.0-beta.1"; a
// pre-release counts as its patch.
func patchNumber(version string) (int, error) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 3 {
		return 0, fmt.Errorf("version %q has no patch number", version)
	}
	return strconv.Atoi(strings.SplitN(parts[2], "-", 2)[0])
}
