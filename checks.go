package istiomab

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
)

// precheck selects the recipe and runs the cheap checks before any node is
// dialled: the plan as far as it is known, a writable --dist, then push
// access. It returns the recipe with the chosen Go image.
func precheck(ctx context.Context, req BuildRequest, s settings) (recipes.Recipe, registryAccess, error) {
	sel, err := recipes.Select(req.Options.Version)
	if err != nil {
		return recipes.Recipe{}, nil, failure.Usage(err)
	}
	if sel.Warning != "" {
		s.warn(sel.Warning)
	}
	r := sel.Recipe
	if r.GoImage, err = recipes.GoImage(r, req.Options.Version, req.Go); err != nil {
		return r, nil, failure.Usage(err)
	}
	access, err := req.Registries.access()
	if err != nil {
		return r, nil, failure.Usage(err)
	}
	pre, err := plan.New(req.Options, r, plan.Facts{})
	if err != nil {
		return r, nil, failure.Usage(err)
	}
	if req.Signer != nil && !req.Options.Push && !req.Output.set() {
		return r, nil, failure.Usage(errors.New("--sign-key signs what is pushed to a registry or written to --output: drop it with --push=false"))
	}
	if err := checkWritable("--dist", req.Dist, req.DryRun); err != nil {
		return r, nil, failure.Usage(err)
	}
	return r, access, checkPushAccess(ctx, req, access, pre)
}

func checkPushAccess(ctx context.Context, req BuildRequest, access registryAccess, p plan.Plan) error {
	if !req.Options.Push || req.DryRun {
		return nil
	}
	seen := map[string]bool{}
	for _, img := range p.Images {
		if !seen[img.Repository] {
			seen[img.Repository] = true
			if err := access.CheckPush(ctx, img.Repository); err != nil {
				return failure.Registry(classify(err)) // an unreadable docker config is bad input
			}
		}
	}
	return nil
}

// checkWritable fails before anything is built when dir (named by flag)
// cannot be written, so no output is lost after tags moved.
func checkWritable(flag, dir string, dryRun bool) error {
	if dryRun || dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("%s %s is not writable (%v): choose a directory you can write", flag, dir, err)
	}
	f, err := os.CreateTemp(dir, ".istio-mab-write-check-*")
	if err != nil {
		return fmt.Errorf("%s %s is not writable (%v): choose a directory you can write", flag, dir, err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// CheckWritable is checkWritable for a caller's own output (say a metadata
// file's directory), with the same one-line error.
func CheckWritable(flag, dir string) error { return failure.Usage(checkWritable(flag, dir, false)) }

// classify gives an error the exit code of its kind when no stage
// classified it: a docker config that cannot be read is bad input (2); a
// registry that refuses, rate-limits or cannot be trusted is registry
// access (3).
func classify(err error) error {
	var (
		cred    *registry.CredentialsError
		auth    *registry.AuthError
		plain   *registry.PlainHTTPError
		limited *registry.RateLimitError
		down    *registry.DowngradeError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
	)
	switch {
	case errors.As(err, &cred):
		return failure.Usage(err)
	case errors.As(err, &auth), errors.As(err, &plain), errors.As(err, &limited), errors.As(err, &down), errors.As(err, &unknown), errors.As(err, &host):
		return failure.Registry(err)
	}
	return err
}
