package registry

import (
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Layer is one layer's bytes, uncompressed, with its annotations.
type Layer struct {
	Bytes       []byte
	Annotations map[string]string
}

// LayersOfType reads img's layers of media type mt, in order: signature,
// attestation and in-toto layers are small JSON documents.
func LayersOfType(img v1.Image, mt types.MediaType) ([]Layer, error) {
	m, err := img.Manifest()
	if err != nil {
		return nil, err
	}
	layers, err := img.Layers()
	if err != nil {
		return nil, err
	}
	var out []Layer
	for i, l := range layers {
		if i >= len(m.Layers) || m.Layers[i].MediaType != mt {
			continue
		}
		rc, err := l.Uncompressed()
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, Layer{Bytes: b, Annotations: m.Layers[i].Annotations})
	}
	return out, nil
}
