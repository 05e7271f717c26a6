package sign

import (
	"errors"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/istio-mab/istio-mab/internal/registry"
)

// ErrNotFound is a tag a Store does not hold.
var ErrNotFound = errors.New("not found")

// Store is where signatures are read and, in cosign's tag scheme, written:
// a registry (Remote) or an OCI layout carried across an air gap.
type Store interface {
	// Tagged is the image under tag, or an error wrapping ErrNotFound.
	Tagged(tag name.Tag) (v1.Image, error)
	WriteTagged(tag name.Tag, img v1.Image) error
	// Referrers lists the manifests whose subject is d (empty when none).
	Referrers(d name.Digest) (v1.ImageIndex, error)
	// WriteReferrer stores img, a manifest whose subject is d.
	WriteReferrer(d name.Digest, img v1.Image) error
	Image(d name.Digest) (v1.Image, error)
}

// Remote is a registry as a Store, reached with opts.
func Remote(opts ...remote.Option) Store { return remoteStore(opts) }

type remoteStore []remote.Option

func (r remoteStore) Tagged(tag name.Tag) (v1.Image, error) {
	img, err := remote.Image(tag, r...)
	if registry.IsNotFound(err) {
		return nil, errors.Join(ErrNotFound, err)
	}
	return img, err
}

func (r remoteStore) WriteTagged(tag name.Tag, img v1.Image) error {
	return remote.Write(tag, img, r...)
}

func (r remoteStore) Referrers(d name.Digest) (v1.ImageIndex, error) {
	idx, err := remote.Referrers(d, r...)
	if registry.IsNotFound(err) {
		return empty.Index, nil
	}
	return idx, err
}

// WriteReferrer pushes img by digest; go-containerregistry keeps the
// referrers fallback tag where the registry has no referrers API.
func (r remoteStore) WriteReferrer(d name.Digest, img v1.Image) error {
	h, err := img.Digest()
	if err != nil {
		return err
	}
	return remote.Write(d.Context().Digest(h.String()), img, r...)
}

func (r remoteStore) Image(d name.Digest) (v1.Image, error) { return remote.Image(d, r...) }
