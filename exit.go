package istiomab

import "github.com/istio-mab/istio-mab/internal/failure"

// ExitCode is the exit code err calls for (docs/exit-codes.md): 0 for nil,
// 2 bad input, 3 registry access, 4 build failure, 5 verification failure,
// 6 partial publish, 1 for anything else.
func ExitCode(err error) int { return failure.Code(err) }

// BadInput marks err as bad input (exit 2): a flag, variable, config key or
// argument the caller refused. A classified error keeps its class; nil
// stays nil.
func BadInput(err error) error { return failure.Usage(err) }
