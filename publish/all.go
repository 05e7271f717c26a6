package publish

import (
	"context"
	"fmt"
	"strings"

	"github.com/istio-mab/istio-mab/internal/failure"
)

// Stages are the two halves of publishing to one destination.
type Stages interface {
	// Prepare checks an image's platform images and writes its manifest
	// list by digest, moving no tag.
	Prepare(ctx context.Context, img Image) (*Prepared, error)
	// MoveTags points the prepared list's tags at it; a nil Result when the
	// destination has no tags.
	MoveTags(ctx context.Context, pr *Prepared) (*Result, error)
}

// Options add to the one publishing sequence, All. The zero value adds nothing.
type Options struct {
	// Step shows a step as it starts; the returned func when it ends.
	// Default: nothing shown.
	Step func(name string) (done func(error))
	// BeforeTags runs once every list is prepared and before any tag moves,
	// for what must not fail after a tag moved (archives). Default: none.
	BeforeTags func(ctx context.Context) error
}

// All prepares every image, runs BeforeTags, and only then moves tags, so
// a failure before the first tag move leaves every tag where it was.
// Results are in the order of images; after a failed tag move they hold the
// images whose tags were handled.
func All(ctx context.Context, s Stages, images []Image, o Options) ([]*Result, error) {
	prepared, err := PrepareAll(ctx, s, images, o.Step)
	if err != nil {
		return nil, err
	}
	if o.BeforeTags != nil {
		if err := o.BeforeTags(ctx); err != nil {
			return nil, err
		}
	}
	return MoveAll(ctx, s, prepared, o.Step)
}

// PrepareAll is All's first half: it checks every image and writes its
// list by digest, moving no tag, so it may run while other work goes on.
func PrepareAll(ctx context.Context, s Stages, images []Image, step func(string) func(error)) ([]*Prepared, error) {
	step = orNone(step)
	prepared := make([]*Prepared, len(images))
	for i, img := range images {
		done := step(fmt.Sprintf("verify and write manifest list %s", img.Repository))
		var err error
		prepared[i], err = s.Prepare(ctx, img)
		if done(err); err != nil {
			return nil, err
		}
	}
	return prepared, nil
}

// MoveAll is All's second half: it moves the prepared lists' tags.
func MoveAll(ctx context.Context, s Stages, prepared []*Prepared, step func(string) func(error)) ([]*Result, error) {
	step = orNone(step)
	var results []*Result
	for _, pr := range prepared {
		done := step(fmt.Sprintf("tag %s:%s", pr.Repository, strings.Join(pr.Tags, ",")))
		res, err := s.MoveTags(ctx, pr)
		if res != nil {
			results = append(results, res)
		}
		if done(err); err != nil {
			return results, TagFailure(err, results)
		}
	}
	return results, nil
}

func orNone(step func(string) func(error)) func(string) func(error) {
	if step == nil {
		return func(string) func(error) { return func(error) {} }
	}
	return step
}

// TagFailure is a registry failure when no tag moved yet, else a partial
// publish naming the tags that did.
func TagFailure(err error, results []*Result) error {
	var moved []string
	for _, r := range results {
		for _, t := range r.Tags {
			if t.Moved {
				moved = append(moved, r.Repository+":"+t.Tag)
			}
		}
	}
	if len(moved) == 0 {
		return failure.Registry(err)
	}
	return failure.PartialPublish(err, moved)
}
