package istiomab

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/publish"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/sign"
)

// VerifyRequest names published manifest lists to check: a release (Version,
// Hub, and optionally Tag, Images, Variants) or list references (Refs).
type VerifyRequest struct {
	Version, Hub, Tag string
	Images, Variants  []string // default: the recipe's default images, debug
	Refs              []string // instead of a release: lists by reference
	// Platforms must each have an entry in every list.
	Platforms  []ocispecs.Platform
	Registries Registries
	// Key, when set, must have signed every list and every manifest it
	// holds (platform images and attestations), in cosign's tag scheme.
	Key crypto.PublicKey
}

// VerifyResult is every list checked, in order, with its problems.
type VerifyResult struct {
	Lists []ListReport
}

// ListReport is one list checked.
type ListReport struct {
	Check    publish.ListCheck
	Problems []publish.Problem
}

// Verify checks published lists, made by istio-mab or anyone else, as build
// checks them before it moves a tag: every platform has an entry whose
// config says that platform, every binary is an executable for it, and the
// config is what the list's Dockerfile declares. A release is checked under
// every tag build moves (<version> and <version>-debug for debug). Any
// problem fails with exit 5, after every list was checked.
func Verify(ctx context.Context, req VerifyRequest) (VerifyResult, error) {
	checks, err := verifyChecks(req)
	if err != nil {
		return VerifyResult{}, failure.Usage(err)
	}
	access, err := req.Registries.access()
	if err != nil {
		return VerifyResult{}, failure.Usage(err)
	}
	pub, err := publish.New(access)
	if err != nil {
		return VerifyResult{}, err
	}
	var res VerifyResult
	bad := 0
	for _, c := range checks {
		problems, err := pub.VerifyList(ctx, c)
		if err == nil && req.Key != nil {
			var unsigned []publish.Problem
			unsigned, err = signatureProblems(ctx, access, c.Ref, req.Key)
			problems = append(problems, unsigned...)
		}
		if err != nil {
			return res, failure.Registry(err)
		}
		res.Lists = append(res.Lists, ListReport{Check: c, Problems: problems})
		if len(problems) > 0 {
			bad++
		}
	}
	if bad > 0 {
		return res, failure.Verify(fmt.Errorf("verification failed: %d of %d manifest lists have problems (listed above)", bad, len(checks)))
	}
	return res, nil
}

func verifyChecks(req VerifyRequest) ([]publish.ListCheck, error) {
	r, err := verifyRecipe(req.Version)
	if err != nil {
		return nil, err
	}
	if len(req.Refs) > 0 {
		return refChecks(req.Refs, r, req.Platforms)
	}
	o := plan.Options{Version: req.Version, Hub: req.Hub, Tag: req.Tag, Images: req.Images, Variants: req.Variants, Platforms: req.Platforms}
	lists, err := plan.Lists(o, r)
	if err != nil {
		return nil, err
	}
	var out []publish.ListCheck
	for _, l := range lists {
		for _, tag := range l.Tags {
			out = append(out, publish.ListCheck{Ref: l.Repository + ":" + tag, Platforms: req.Platforms, Binaries: l.Shipped})
		}
	}
	return out, nil
}

// verifyRecipe is the version's recipe, or the newest line's when only
// list references were given: it says which binaries each image ships.
func verifyRecipe(version string) (recipes.Recipe, error) {
	if version == "" {
		all, err := recipes.Load()
		if err != nil {
			return recipes.Recipe{}, err
		}
		return all[len(all)-1], nil
	}
	sel, err := recipes.Select(version)
	return sel.Recipe, err
}

// refChecks names each image by its repository's last component.
func refChecks(refs []string, r recipes.Recipe, pls []ocispecs.Platform) ([]publish.ListCheck, error) {
	var out []publish.ListCheck
	for _, s := range refs {
		ref, err := name.ParseReference(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an image reference: use e.g. registry.example.com/istio/pilot:1.22.0", s)
		}
		repo := ref.Context().RepositoryStr()
		image := repo[strings.LastIndex(repo, "/")+1:]
		spec, ok := r.Images[image]
		if !ok {
			return nil, fmt.Errorf("%s: cannot tell which binaries it ships: its repository must end in one of %s", s, strings.Join(recipes.ImageNames(r), ", "))
		}
		out = append(out, publish.ListCheck{Ref: s, Platforms: pls, Binaries: recipes.Shipped(spec)})
	}
	return out, nil
}

// signatureProblems names the list at ref and each manifest it holds that
// key did not sign; nothing when the list is not there (VerifyList says so).
func signatureProblems(ctx context.Context, access registryAccess, ref string, key crypto.PublicKey) ([]publish.Problem, error) {
	r, err := access.Reference(ref)
	if err != nil {
		return nil, err
	}
	opts := access.Remote(ctx)
	desc, err := remote.Get(r, opts...)
	if err != nil || !desc.MediaType.IsIndex() {
		return nil, nil
	}
	var im v1.IndexManifest
	if err := json.Unmarshal(desc.Manifest, &im); err != nil {
		return nil, err
	}
	return publish.SignatureProblems(sign.Remote(opts...), key, ref, r.Context(), desc.Descriptor, im)
}
