package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/istio-mab/istio-mab/internal/failure"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Local is the destination of --push=false: BuildKit writes each platform
// image as an OCI layout tarball under dir, and Prepare checks it as a
// Publisher checks a pushed one and assembles its list. Nothing is written
// anywhere else and there are no tags.
type Local struct {
	dir string
	mu  sync.Mutex
}

// NewLocal keeps the tarballs under dir, which the caller removes.
func NewLocal(dir string) *Local { return &Local{dir: dir} }

// Target is a new tarball for one platform image of repo.
func (l *Local) Target(repo string, pl ocispecs.Platform) (Target, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(l.dir, 0o755); err != nil {
		return Target{}, err
	}
	f, err := os.Create(l.tarball(repo, pl))
	return Target{File: f}, err
}

func (l *Local) tarball(repo string, pl ocispecs.Platform) string {
	key := repo + "_" + platforms.Format(pl)
	return filepath.Join(l.dir, strings.NewReplacer("/", "-", ":", "-").Replace(key)+".tar")
}

// Prepare checks each platform image of img (config platform, binaries)
// from its tarball and assembles the list that would be pushed.
func (l *Local) Prepare(_ context.Context, img Image) (*Prepared, error) {
	return l.prepare(img, nil)
}

// prepare is Prepare that hands each checked platform image to keep, when
// set, before the list is assembled.
func (l *Local) prepare(img Image, keep func(v1.Image) error) (*Prepared, error) {
	repo, err := name.NewRepository(img.Repository)
	if err != nil {
		return nil, fmt.Errorf("parsing repository: %w", err)
	}
	if err := checkPlatformList(img.Platforms); err != nil {
		return nil, fmt.Errorf("checking %s: %w", repo, err)
	}
	perPlatform := make([][]v1.Descriptor, len(img.Platforms))
	infos := make([]PlatformInfo, len(img.Platforms))
	for i, pi := range img.Platforms {
		if perPlatform[i], infos[i], err = l.check(img, pi, keep); err != nil {
			return nil, failure.Verify(fmt.Errorf("checking %s for %s: %w", repo, platforms.Format(pi.Platform), err))
		}
	}
	idx, err := newIndex(imagesThenAttestations(perPlatform), img.Declared.annotate(img.Annotations))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", repo, err)
	}
	return &Prepared{Repository: repo, Index: idx, Tags: img.Tags, Platforms: infos}, nil
}

func (l *Local) check(img Image, pi PlatformImage, keep func(v1.Image) error) ([]v1.Descriptor, PlatformInfo, error) {
	fail := func(err error) ([]v1.Descriptor, PlatformInfo, error) { return nil, PlatformInfo{}, err }
	tarball := l.tarball(img.Repository, pi.Platform)
	dir := strings.TrimSuffix(tarball, ".tar")
	if err := Untar(tarball, dir); err != nil {
		return fail(fmt.Errorf("reading %s: %w", tarball, err))
	}
	lp, err := layout.FromPath(dir)
	if err != nil {
		return fail(err)
	}
	a, err := layoutImage(lp, pi.Digest, img.Attest)
	if err != nil {
		return fail(err)
	}
	im := a.image
	got, err := CheckImage(im, pi.Platform, img.Binaries, img.Declared)
	if err != nil {
		return fail(err)
	}
	if keep != nil {
		for _, kept := range append([]v1.Image{im}, a.att...) {
			if err := keep(kept); err != nil {
				return fail(err)
			}
		}
	}
	mt, err := im.MediaType()
	if err != nil {
		return fail(err)
	}
	size, err := im.Size()
	if err != nil {
		return fail(err)
	}
	info, err := platformInfo(im, pi.Platform)
	d := v1.Descriptor{MediaType: mt, Size: size, Digest: info.Manifest, Platform: got}
	return append([]v1.Descriptor{d}, a.atts...), info, err
}

// layoutImage reads what BuildKit exported for one platform into an OCI
// layout: the image, or with attestations an index of it and them.
func layoutImage(lp layout.Path, d v1.Hash, want Attestations) (attested, error) {
	raw, err := lp.Bytes(d)
	if err != nil {
		return attested{}, err
	}
	var m struct {
		MediaType types.MediaType `json:"mediaType"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return attested{}, err
	}
	if !m.MediaType.IsIndex() {
		if want.any() {
			return attested{}, errors.New("carries no attestations, yet they were asked for")
		}
		im, err := lp.Image(d)
		return attested{image: im}, err
	}
	root, err := lp.ImageIndex()
	if err != nil {
		return attested{}, err
	}
	idx, err := root.ImageIndex(d)
	if err != nil {
		return attested{}, err
	}
	a, err := splitAttested(idx)
	if err == nil {
		err = a.check(want)
	}
	return a, err
}

// MoveTags moves nothing: a local check has no tags. Its result says what
// would have been published.
func (l *Local) MoveTags(_ context.Context, pr *Prepared) (*Result, error) {
	return &Result{Repository: pr.Repository.String(), Index: pr.Index.Descriptor, Children: pr.Index.Children, Platforms: pr.Platforms}, nil
}
