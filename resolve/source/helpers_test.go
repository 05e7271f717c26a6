package source

import (
	"errors"
	"testing"

	"github.com/istio-mab/istio-mab/plan"
)

var errNotFound = errors.New("not found")

func factsFor(t *testing.T, read ReadFunc, required []string) plan.Facts {
	t.Helper()
	var f plan.Facts
	if err := ReadFacts(read, &f, Layout{Required: required}); err != nil {
		t.Fatal(err)
	}
	return f
}
