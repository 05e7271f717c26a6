package parse

import (
	"slices"
	"testing"
)

func TestListHelpers(t *testing.T) {
	if got := List(" a, ,b,"); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("List = %q", got)
	}
	if got := SplitAll([]string{"a,b c", " d "}); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Errorf("SplitAll = %q", got)
	}
	if got := Unique([]string{"pilot", "pilot", "proxyv2"}); !slices.Equal(got, []string{"pilot", "proxyv2"}) {
		t.Errorf("Unique = %q", got)
	}
	if got := Items("pilot, proxyv2 pilot"); !slices.Equal(got, []string{"pilot", "proxyv2"}) {
		t.Errorf("Items = %q", got)
	}
}
