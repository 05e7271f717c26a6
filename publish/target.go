package publish

import (
	"io"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// Target is where BuildKit writes one platform image: pushed by digest to
// its repository, or, when File is set, as an OCI layout tarball to File.
type Target struct {
	Insecure bool // plain HTTP to the registry, only for hosts the user named
	File     io.WriteCloser
}

// Target pushes to repo's registry, over plain HTTP only when the user
// named its host (--insecure-registry).
func (p *Publisher) Target(repo string, _ ocispecs.Platform) (Target, error) {
	r, err := p.access.Repository(repo)
	if err != nil {
		return Target{}, err
	}
	return Target{Insecure: r.Scheme() == "http"}, nil
}
