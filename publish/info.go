package publish

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// PlatformInfo is one checked platform image, as the metadata file and the
// summary report it.
type PlatformInfo struct {
	Platform ocispecs.Platform
	Manifest v1.Hash
	Config   v1.Hash
	// Size is the image's size as crane and docker report it: config plus
	// compressed layers, not the manifest's own byte count.
	Size int64
}

func platformInfo(img v1.Image, pl ocispecs.Platform) (PlatformInfo, error) {
	d, err := img.Digest()
	if err != nil {
		return PlatformInfo{}, err
	}
	m, err := img.Manifest()
	if err != nil {
		return PlatformInfo{}, err
	}
	size := m.Config.Size
	for _, l := range m.Layers {
		size += l.Size
	}
	return PlatformInfo{Platform: pl, Manifest: d, Config: m.Config.Digest, Size: size}, nil
}
