package resolve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/recipes"
	"github.com/istio-mab/istio-mab/resolve/source"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// InputsVersion changes whenever istio-mab would build the same inputs
// differently, so lists built before never count as up to date.
const InputsVersion = "2" // 2: layers at gzip level 4

// inputsDigest covers what a build's result is a function of, except the
// images it pulls, which are recorded by digest beside it (the pins): the
// recipe, the options that change outputs, the commit, and the content of
// local Envoy files. Where compiles ran and how modules were reached (the
// proxy, CAs; go.sum pins the modules) do not change the result.
func inputsDigest(o plan.Options, r recipes.Recipe, commit string) (string, error) {
	// Which istioctl archives a run writes does not change its images.
	o.BuildPlatform, o.Go, o.Source.Dir, o.Istioctl = ocispecs.Platform{}, plan.Go{}, "", ""
	o.Envoy = maps.Clone(o.Envoy)
	for k, e := range o.Envoy {
		if e.Kind == plan.EnvoyFile {
			sum, err := fsutil.FileSHA256(e.Ref)
			if err != nil {
				return "", err
			}
			e.Ref, e.SHA256 = "file", sum
			o.Envoy[k] = e
		}
	}
	b, err := json.Marshal(struct {
		Version string
		Options plan.Options
		Recipe  recipes.Recipe
		Commit  string
	}{InputsVersion, o, r, commit})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// ListReader reads the annotations of a published manifest list.
type ListReader interface {
	ListAnnotations(ctx context.Context, ref string) (map[string]string, error)
}

// Current is what an up-to-date check read: the plan as far as it is known
// without resolving (the tag's commit, no pins) and the inputs digest the
// lists record.
type Current struct {
	Plan   plan.Plan
	Inputs string
}

// UpToDate says whether every list the run would publish is already under
// all its tags, built from the same inputs with the same pulled images, so
// the run can stop without solving or pushing anything. It reads only the
// commit of the tag, the lists' annotations and the pinned images' digests.
func UpToDate(ctx context.Context, req Request, s Node, lists ListReader) (Current, bool, error) {
	commit, err := resolveCommit(ctx, req.Options.Source, s)
	if err != nil || commit == "" {
		return Current{}, false, err
	}
	digest, err := inputsDigest(req.Options, req.Recipe, commit)
	if err != nil {
		return Current{}, false, err
	}
	pre, err := plan.New(req.Options, req.Recipe, plan.Facts{Version: req.Options.Version, Commit: commit})
	if err != nil {
		return Current{}, false, err
	}
	cur := Current{Plan: pre, Inputs: digest}
	var pins string
	for _, img := range pre.Images {
		for _, tag := range img.Tags {
			ann, err := lists.ListAnnotations(ctx, img.Repository+":"+tag)
			if err != nil || ann[plan.AnnotationInputs] != digest || (pins != "" && ann[plan.AnnotationPins] != pins) {
				return cur, false, nil // a missing tag or other inputs: build
			}
			pins = ann[plan.AnnotationPins]
		}
	}
	same, err := samePins(ctx, s, pins)
	return cur, same, err
}

func resolveCommit(ctx context.Context, src plan.Source, s Node) (string, error) {
	if src.Dir != "" {
		commit, err := source.DirCommit(ctx, src.Dir)
		if err != nil {
			return "", nil // not a checkout: never up to date
		}
		return commit, nil
	}
	commit, _, err := s.ResolveGit(ctx, source.State(src, ""))
	if err != nil {
		return "", nil // Resolve reports a missing tag in its own words
	}
	return commit, nil
}

// samePins re-resolves every image a build pulled and compares digests.
func samePins(ctx context.Context, s Node, recorded string) (bool, error) {
	var pins map[string]string
	if err := json.Unmarshal([]byte(recorded), &pins); err != nil || len(pins) == 0 {
		return false, nil
	}
	keys := slices.Sorted(maps.Keys(pins))
	refs := make([]buildkit.ImageRef, len(keys))
	for i, k := range keys {
		ref, pl, ok := strings.Cut(k, " ")
		if !ok {
			return false, nil
		}
		p, err := platforms.Parse(pl)
		if err != nil {
			return false, nil
		}
		refs[i] = buildkit.ImageRef{Ref: ref, Platform: p}
	}
	now, err := s.Pin(ctx, refs)
	if err != nil {
		return false, fmt.Errorf("checking the images of the last build: %w", err)
	}
	for i, k := range keys {
		if now[i].Ref != refs[i].Ref+"@"+pins[k] {
			return false, nil
		}
	}
	return true, nil
}

// recordedDigest is the inputs digest for the lists, or empty when no
// commit describes the source (a directory with changes, or no checkout).
func recordedDigest(req Request, facts plan.Facts) (string, error) {
	if !facts.Committed {
		return "", nil
	}
	return inputsDigest(req.Options, req.Recipe, facts.Commit)
}
