package run

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/moby/buildkit/client"
)

// pushTries bounds the solves of one platform image whose push meets a
// registry race; every solve after the first is cached and only pushes.
const pushTries = 3

// pushRaceBackoff is the wait before the n-th solve again (n from 1).
var pushRaceBackoff = func(n int) time.Duration { return time.Duration(n) * time.Second }

// solveImage solves one platform image, solving it again when its push met
// a registry race (pushRace). Pushes are by digest and tag nothing, so a
// second push only adds what the first left out.
func (r runner) solveImage(ctx context.Context, node, what string, opt client.SolveOpt) (map[string]string, error) {
	for try := 1; ; try++ {
		resp, err := r.solvers[node].Solve(ctx, nil, opt, r.locals())
		if err == nil || try == pushTries || !pushRace(err) {
			return resp, err
		}
		r.s.Progress.Step(fmt.Sprintf("push %s again (%d of %d): the registry refused a manifest whose layers a concurrent push was linking", what, try+1, pushTries))(nil)
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(pushRaceBackoff(try)):
		}
	}
}

// pushRace says whether BuildKit's push failed on a manifest PUT answered
// as a concurrent push of the same layers to the same repository can make
// a registry answer: distribution's filesystem store rewrites a
// repository's layer link in place, and a manifest checked meanwhile gets
// DIGEST_INVALID (the link read empty) or MANIFEST_BLOB_UNKNOWN (not yet
// written). Images of one repository (pilot and pilot-debug) share layers
// and are pushed at once; a moment later the links are whole.
func pushRace(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "failed to push") &&
		(strings.Contains(msg, "provided digest did not match uploaded content") ||
			strings.Contains(msg, "blob unknown to registry"))
}
