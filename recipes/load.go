package recipes

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"
)

// loaded parses the embedded recipes once: they cannot change while the
// binary runs, and a broken recipe must fail every caller the same way.
var loaded = sync.OnceValues(func() ([]Recipe, error) { return loadFS(linesFS) })

// Load reads every embedded recipe, oldest line first. The recipes share
// their maps between callers: treat them as read-only.
func Load() ([]Recipe, error) {
	all, err := loaded()
	return slices.Clone(all), err
}

// loadFS parses lines/*.yaml of fsys, refusing any file with a key the
// Recipe type does not know: a misspelt key would otherwise be ignored and
// the build silently differ from upstream's.
func loadFS(fsys fs.FS) ([]Recipe, error) {
	paths, err := fs.Glob(fsys, "lines/*.yaml")
	if err != nil {
		return nil, fmt.Errorf("listing recipes: %w", err)
	}
	if len(paths) == 0 {
		return nil, errors.New("listing recipes: none embedded")
	}
	out := make([]Recipe, 0, len(paths))
	for _, p := range paths {
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading recipe %s: %w", p, err)
		}
		r, err := parse(b)
		if err != nil {
			return nil, fmt.Errorf("recipe %s: %w", p, err)
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := parseLine(out[i].Line)
		b, _ := parseLine(out[j].Line)
		return less(a, b)
	})
	return out, nil
}

// parse decodes one recipe strictly and checks what the YAML schema cannot.
func parse(b []byte) (Recipe, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var r Recipe
	if err := dec.Decode(&r); err != nil {
		if errors.Is(err, io.EOF) {
			return Recipe{}, errors.New("empty file")
		}
		return Recipe{}, err
	}
	if _, err := parseLine(r.Line); err != nil {
		return Recipe{}, fmt.Errorf("line: %w", err)
	}
	if err := checkPatches(r); err != nil {
		return Recipe{}, err
	}
	return r, nil
}
