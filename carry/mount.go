package carry

import (
	"context"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// mounts remembers which repository of the hub holds each blob an import
// pushed or found there. A registry stores a blob once but links it per
// repository, and go-containerregistry uploads a blob a repository lacks
// unless told where to mount it from: the lists' shared base layers would
// travel once per repository, and again on every rerun.
type mounts map[v1.Hash]name.Repository

// mountInto links into repo, from the repository holding it, each blob of
// idx that another repository already holds; a registry refusing a mount
// gets the blob uploaded instead (go-containerregistry falls back).
func (m mounts) mountInto(ctx context.Context, idx v1.ImageIndex, repo name.Repository, opts ...remote.Option) error {
	return eachBlob(idx, func(l v1.Layer, d v1.Hash) error {
		from, ok := m[d]
		if !ok || from.String() == repo.String() {
			return nil
		}
		return remote.WriteLayer(repo, &remote.MountableLayer{Layer: l, Reference: from.Digest(d.String())}, append(opts, remote.WithContext(ctx))...)
	})
}

// record notes that repo holds every blob of idx.
func (m mounts) record(idx v1.ImageIndex, repo name.Repository) error {
	return eachBlob(idx, func(_ v1.Layer, d v1.Hash) error {
		if _, ok := m[d]; !ok {
			m[d] = repo
		}
		return nil
	})
}

// eachBlob calls f with every layer and config blob of the images idx
// holds, nested indexes included.
func eachBlob(idx v1.ImageIndex, f func(v1.Layer, v1.Hash) error) error {
	im, err := idx.IndexManifest()
	if err != nil {
		return err
	}
	for _, desc := range im.Manifests {
		var err error
		switch {
		case desc.MediaType.IsIndex():
			var child v1.ImageIndex
			if child, err = idx.ImageIndex(desc.Digest); err == nil {
				err = eachBlob(child, f)
			}
		case desc.MediaType.IsImage():
			err = imageBlobs(idx, desc.Digest, f)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func imageBlobs(idx v1.ImageIndex, h v1.Hash, f func(v1.Layer, v1.Hash) error) error {
	img, err := idx.Image(h)
	if err != nil {
		return err
	}
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	cfg, err := partial.ConfigLayer(img)
	if err != nil {
		return err
	}
	for _, l := range append(layers, cfg) {
		d, err := l.Digest()
		if err != nil {
			return err
		}
		if err := f(l, d); err != nil {
			return err
		}
	}
	return nil
}
