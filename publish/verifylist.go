package publish

import (
	"context"
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// ListCheck is what one published manifest list must satisfy, whoever
// made it: istio-mab, upstream's release process, or a hand-made mirror.
type ListCheck struct {
	// Ref is the list's reference, by tag or digest.
	Ref string
	// Platforms must each have an entry.
	Platforms []ocispecs.Platform
	// Binaries are absolute paths that must be executables for the platform
	// of every entry, e.g. "/usr/local/bin/envoy".
	Binaries []string
	// Declared is what each entry's config must set; nil: what the list's
	// AnnotationConfig records, if it has one.
	Declared *Declared
}

// Problem is one thing wrong with a list, printed as one line.
type Problem struct {
	Ref      string
	Platform string // the entry's platform; empty for the list as a whole or an entry without one
	Binary   string // the binary at fault, if any
	Message  string
}

func (p Problem) String() string {
	s := p.Ref
	if p.Platform != "" {
		s += " " + p.Platform
	}
	if p.Binary != "" {
		s += ": " + p.Binary
	}
	return s + ": " + p.Message
}

// VerifyList reads the list c.Ref names and reports every problem, rather
// than the first, so one run tells the whole story: an expected platform
// without an entry, an entry without a platform or whose image config is for
// another platform, a binary built for another machine, a config whose USER,
// ENTRYPOINT or CMD contradicts its Dockerfile, a reference where nothing is
// published. The error is
// for a registry that could not be read at all (unreachable, credentials).
func (p *Publisher) VerifyList(ctx context.Context, c ListCheck) ([]Problem, error) {
	ref, err := p.access.Reference(c.Ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(ref, p.access.Remote(ctx)...)
	if registry.IsNotFound(err) {
		return []Problem{{Ref: c.Ref, Message: "not found: nothing is published at this reference"}}, nil
	}
	if err != nil {
		return nil, registry.Explain("reading", ref, err)
	}
	if !desc.MediaType.IsIndex() {
		return []Problem{{Ref: c.Ref, Message: "is a single-platform image, not a manifest list"}}, nil
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, registry.Explain("reading", ref, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, registry.Explain("reading", ref, err)
	}
	if c.Declared == nil {
		if c.Declared, err = declaredIn(im.Annotations); err != nil {
			return []Problem{{Ref: c.Ref, Message: err.Error()}}, nil
		}
	}
	entries := runnableEntries(im.Manifests)
	problems := missingPlatforms(c, entries)
	return append(problems, p.checkEntries(ctx, ref.Context(), c, entries)...), nil
}

// runnableEntries drops BuildKit's attestation manifests, which are not
// images a runtime would pick.
func runnableEntries(all []v1.Descriptor) []v1.Descriptor {
	var out []v1.Descriptor
	for _, d := range all {
		if !IsAttestation(d) {
			out = append(out, d)
		}
	}
	return out
}

func missingPlatforms(c ListCheck, entries []v1.Descriptor) []Problem {
	var out []Problem
	for _, want := range c.Platforms {
		n := 0
		for _, d := range entries {
			if d.Platform != nil && matchPlatform(want, d.Platform) == nil {
				n++
			}
		}
		switch {
		case n == 0:
			out = append(out, Problem{Ref: c.Ref, Platform: platforms.Format(want), Message: "no entry for this platform"})
		case n > 1:
			out = append(out, Problem{Ref: c.Ref, Platform: platforms.Format(want), Message: fmt.Sprintf("%d entries for this platform, want one", n)})
		}
	}
	return out
}

// checkEntries checks the entries concurrently; problems keep entry order.
func (p *Publisher) checkEntries(ctx context.Context, repo name.Repository, c ListCheck, entries []v1.Descriptor) []Problem {
	found := make([][]Problem, len(entries))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(p.jobs)
	for i, d := range entries {
		g.Go(func() error {
			found[i] = p.checkEntry(gctx, repo.Digest(d.Digest.String()), c, d)
			return nil
		})
	}
	_ = g.Wait() // checkEntry reports failures as problems
	var out []Problem
	for _, f := range found {
		out = append(out, f...)
	}
	return out
}

func (p *Publisher) checkEntry(ctx context.Context, ref name.Digest, c ListCheck, d v1.Descriptor) []Problem {
	if d.Platform == nil || d.Platform.OS == "" || d.Platform.Architecture == "" {
		return []Problem{{Ref: c.Ref, Message: fmt.Sprintf("entry %s has no platform: a runtime cannot pick it", d.Digest)}}
	}
	problem := func(binary, format string, args ...any) Problem {
		return Problem{Ref: c.Ref, Platform: d.Platform.String(), Binary: binary, Message: fmt.Sprintf(format, args...)}
	}
	img, err := remote.Image(ref, p.access.Remote(ctx)...)
	if err != nil {
		return []Problem{problem("", "entry %s: %v", d.Digest, registry.Explain("reading", ref, err))}
	}
	_, found, err := imageProblems(img, FromV1(*d.Platform), c.Binaries, c.Declared)
	if err != nil {
		return []Problem{problem("", "entry %s: %v", d.Digest, err)}
	}
	var out []Problem
	for _, ip := range found {
		msg := ip.msg
		if ip.binary == "" && strings.HasPrefix(msg, "image config is for") {
			msg = fmt.Sprintf("entry %s: %s", d.Digest, msg)
		}
		out = append(out, problem(ip.binary, "%s", msg))
	}
	return out
}

// ListAnnotations are the annotations of the manifest list at ref, for
// comparing what it was built from; an error when ref is not a list.
func (p *Publisher) ListAnnotations(ctx context.Context, ref string) (map[string]string, error) {
	r, err := p.access.Reference(ref)
	if err != nil {
		return nil, err
	}
	desc, err := remote.Get(r, p.access.Remote(ctx)...)
	if err != nil {
		return nil, registry.Explain("reading", r, err)
	}
	idx, err := desc.ImageIndex()
	if err != nil {
		return nil, err
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	return im.Annotations, nil
}
