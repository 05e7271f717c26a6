package publish

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// refusedList names the media type when a registry refuses a manifest list
// as a kind of manifest it does not take (415, or 400 with
// MANIFEST_INVALID or UNSUPPORTED): some registries accept only OCI indexes,
// or no lists at all, and the bare "manifest invalid" does not say so.
func refusedList(mt types.MediaType, err error) error {
	var terr *transport.Error
	if !errors.As(err, &terr) {
		return err
	}
	refused := terr.StatusCode == http.StatusUnsupportedMediaType
	for _, d := range terr.Errors {
		if terr.StatusCode == http.StatusBadRequest && (d.Code == transport.ManifestInvalidErrorCode || d.Code == transport.UnsupportedErrorCode) {
			refused = true
		}
	}
	if !refused {
		return err
	}
	other := "docker"
	if mt == types.DockerManifestList {
		other = "oci"
	}
	return fmt.Errorf("the registry refused the manifest list's media type %s (%d): try --media-types %s: %w",
		mt, terr.StatusCode, other, err)
}
