package registry

import (
	"context"
	"fmt"
	"net/http"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// CheckPush fails when the credentials for repo are missing or refused, so
// a run stops before anything is built. It asks for a push-scoped token and
// lists the repository's tags; unlike an upload it writes nothing.
func (a *Access) CheckPush(ctx context.Context, repo string) error {
	r, err := a.Repository(repo)
	if err != nil {
		return err
	}
	ref := r.Tag("latest")
	auth, err := authn.Resolve(ctx, a.keychain, r)
	if err != nil {
		return Explain("reading credentials for", ref, &CredentialsError{err: err})
	}
	t, err := transport.NewWithContext(ctx, r.Registry, auth, a.transport, []string{r.Scope(transport.PushScope)})
	if err != nil {
		return Explain("checking push access to", ref, err)
	}
	url := fmt.Sprintf("%s://%s/v2/%s/tags/list", r.Scheme(), r.RegistryStr(), r.RepositoryStr())
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Transport: t}).Do(req)
	if err != nil {
		return Explain("checking push access to", ref, err)
	}
	defer resp.Body.Close()
	// 404: the repository does not exist yet, which a push creates.
	if err := transport.CheckError(resp, http.StatusOK, http.StatusNotFound); err != nil {
		return Explain("checking push access to", ref, err)
	}
	return nil
}
