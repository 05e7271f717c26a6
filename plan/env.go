package plan

import (
	"maps"
	"slices"
)

// Env merges layers of variables, later ones winning, into sorted
// KEY=VALUE lines, as Dockerfile instructions see them.
func Env(layers ...map[string]string) []string {
	vals := map[string]string{}
	for _, l := range layers {
		maps.Copy(vals, l)
	}
	env := make([]string, 0, len(vals))
	for _, k := range slices.Sorted(maps.Keys(vals)) {
		env = append(env, k+"="+vals[k])
	}
	return env
}
