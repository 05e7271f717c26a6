package plan

import "fmt"

// MediaTypes are the manifest formats a run writes: every platform image and
// every list of a run use the same.
type MediaTypes string

const (
	// OCI is the OCI image manifest and index, as buildx and ko write them;
	// the only kind an OCI layout carries with every digest unchanged.
	OCI MediaTypes = "oci"
	// Docker is the Docker schema 2 manifest and manifest list, for
	// registries and runtimes that reject OCI indexes.
	Docker MediaTypes = "docker"
)

// ParseMediaTypes reads --media-types; empty is OCI.
func ParseMediaTypes(s string) (MediaTypes, error) {
	switch MediaTypes(s) {
	case "", OCI:
		return OCI, nil
	case Docker:
		return Docker, nil
	}
	return "", fmt.Errorf("--media-types %q: use oci (OCI image index, the default) or docker (Docker manifest list)", s)
}
