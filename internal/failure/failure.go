package failure

import (
	"errors"
	"fmt"
	"strings"
)

// The exit codes, documented in docs/exit-codes.md. An error no stage
// classified exits with CodeOther.
const (
	CodeOK       = 0
	CodeOther    = 1
	CodeUsage    = 2
	CodeRegistry = 3
	CodeBuild    = 4
	CodeVerify   = 5
	CodePartial  = 6
	CodeNode     = 7
)

// Error is an error with the exit code it should end the command with.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }

// Unwrap lets errors.Is and errors.As see the cause.
func (e *Error) Unwrap() error { return e.Err }

// classify keeps an existing classification: the stage closest to the
// failure knows best, so an outer wrapper never overrides it.
func classify(code int, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{Code: code, Err: err}
}

// Usage marks bad input: a flag, variable, config key or argument (exit 2).
func Usage(err error) error { return classify(CodeUsage, err) }

// Registry marks a registry that cannot be reached or refuses the
// credentials (exit 3).
func Registry(err error) error { return classify(CodeRegistry, err) }

// Build marks a failed compile or image build (exit 4).
func Build(err error) error { return classify(CodeBuild, err) }

// Verify marks a published or built image that failed verification; no tag
// was moved (exit 5).
func Verify(err error) error { return classify(CodeVerify, err) }

// Node marks a BuildKit node that cannot be reached or was lost during
// the run: the infrastructure, not the input or the build (exit 7).
func Node(err error) error { return classify(CodeNode, err) }

// PartialPublish marks a failure after some tags moved; moved names them,
// so the message says exactly what changed (exit 6).
func PartialPublish(err error, moved []string) error {
	if err == nil {
		return nil
	}
	return &Error{Code: CodePartial, Err: fmt.Errorf("%w (tags already moved: %s)", err, strings.Join(moved, ", "))}
}

// Code is the exit code for err: 0 for nil, the classified code, or CodeOther.
func Code(err error) int {
	if err == nil {
		return CodeOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeOther
}

// WithMessage replaces err's message and keeps its exit code, for callers
// that rewrite messages (e.g. to scrub credentials) without losing the class.
func WithMessage(err error, msg string) error {
	if err == nil {
		return nil
	}
	code := Code(err)
	if code == CodeOther {
		return errors.New(msg)
	}
	return &Error{Code: code, Err: errors.New(msg)}
}
