package failure

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestCode(t *testing.T) {
	cause := errors.New("boom")
	for _, tc := range []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, 0},
		{"unclassified", cause, 1},
		{"usage", Usage(cause), 2},
		{"registry", Registry(cause), 3},
		{"build", Build(cause), 4},
		{"verify", Verify(cause), 5},
		{"partial", PartialPublish(cause, []string{"r/pilot:1.22.0"}), 6},
		{"wrapped keeps the code", fmt.Errorf("building: %w", Build(cause)), 4},
		{"inner class wins over outer", Usage(fmt.Errorf("x: %w", Verify(cause))), 5},
		{"rewritten message keeps the code", WithMessage(Registry(cause), "scrubbed"), 3},
		{"rewritten unclassified stays unclassified", WithMessage(cause, "scrubbed"), 1},
	} {
		if got := Code(tc.err); got != tc.want {
			t.Errorf("%s: Code = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestClassifyingKeepsMessageAndCause(t *testing.T) {
	cause := errors.New("boom")
	err := Usage(cause)
	if err.Error() != "boom" || !errors.Is(err, cause) {
		t.Errorf("Usage(boom) = %q, Is(cause) = %t", err, errors.Is(err, cause))
	}
	if Usage(nil) != nil || PartialPublish(nil, nil) != nil || WithMessage(nil, "x") != nil {
		t.Error("classifying nil gave an error")
	}
	p := PartialPublish(cause, []string{"r/pilot:1.22.0", "r/pilot:1.22.0-debug"})
	if !strings.Contains(p.Error(), "r/pilot:1.22.0, r/pilot:1.22.0-debug") || !errors.Is(p, cause) {
		t.Errorf("partial publish %q does not name the moved tags", p)
	}
	if WithMessage(Verify(cause), "scrubbed").Error() != "scrubbed" {
		t.Error("WithMessage kept the old message")
	}
}
