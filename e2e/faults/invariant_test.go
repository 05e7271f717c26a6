package faults

import (
	"testing"

	"github.com/istio-mab/istio-mab/e2e/internal/e2etest"
	"github.com/istio-mab/istio-mab/e2e/internal/soak"
)

// seedTags gives pilot's tags under path a previous value, a list of random
// images, so "unchanged" is checked against something rather than absence.
// It returns "image:tag" -> digest.
func seedTags(t *testing.T, s e2etest.Stack, path string) map[string]string {
	t.Helper()
	seed, err := soak.Seed(t.Context(), s.Registry, path, "pilot", "1.22.0", "1.22.0-debug")
	if err != nil {
		t.Fatal(err)
	}
	return seed
}

// checkTagInvariant is the promise, checked after every fault (see
// soak.CheckTags, which the soak checks after every run too): each tag
// under path points where it did before (seed) or to a complete list. It
// returns the tags that moved, sorted, as "image:tag".
func checkTagInvariant(t *testing.T, s e2etest.Stack, path string, seed map[string]string) []string {
	t.Helper()
	e2etest.Catalog(t, s) // fails on a catalog that lacks the stack's seeded images: never vacuous
	moved, problems, err := soak.CheckTags(t.Context(), s.Registry, path, seed)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	return moved
}

// tagsUnder reads every tag of every repository under path: "image:tag" -> digest.
func tagsUnder(t *testing.T, s e2etest.Stack, path string) map[string]string {
	t.Helper()
	tags, err := soak.TagsUnder(t.Context(), s.Registry, path)
	if err != nil {
		t.Fatal(err)
	}
	return tags
}
