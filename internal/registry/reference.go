package registry

import (
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
)

// Reference parses an image reference by tag or digest, as Repository does
// a repository: plain HTTP only for a host allowed it. A reference without
// a registry host is on Docker Hub, as docker pull reads it.
func (a *Access) Reference(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("parsing image reference %q: %w", s, err)
	}
	if a.insecure[ref.Context().RegistryStr()] {
		return name.ParseReference(s, name.Insecure)
	}
	return ref, nil
}
