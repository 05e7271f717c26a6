package registry

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Access is the validated way to reach registries. It is safe for concurrent use.
type Access struct {
	keychain  authn.Keychain
	insecure  map[string]bool
	transport http.RoundTripper
	userAgent string
}

// New validates opts and returns an Access.
func New(opts ...Option) (*Access, error) {
	o := options{
		keychain:  authn.DefaultKeychain,
		insecure:  map[string]bool{},
		userAgent: "istio-mab",
	}
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return nil, fmt.Errorf("registry options: %w", err)
		}
	}
	base := remote.DefaultTransport.(*http.Transport).Clone()
	if o.rootCAs != nil {
		base.TLSClientConfig = &tls.Config{RootCAs: o.rootCAs, MinVersion: tls.VersionTLS12}
	}
	return &Access{
		keychain:  o.keychain,
		insecure:  o.insecure,
		transport: &retryAfter{inner: &redirectGuard{inner: &plainHTTPGuard{inner: base, allowed: o.insecure}}, now: time.Now},
		userAgent: o.userAgent,
	}, nil
}

// Repository parses s, marking it insecure only when its host was allowed
// plain HTTP: ggcr's own heuristic (loopback, private ranges) is not consulted.
func (a *Access) Repository(s string) (name.Repository, error) {
	repo, err := name.NewRepository(s, name.StrictValidation)
	if err != nil {
		return name.Repository{}, fmt.Errorf("parsing repository: %w", err)
	}
	if a.insecure[repo.RegistryStr()] {
		return name.NewRepository(s, name.StrictValidation, name.Insecure)
	}
	return repo, nil
}

// Remote returns the options for a go-containerregistry remote call. ggcr
// wraps the transport with its retry, configured in retry.go, and user agent.
func (a *Access) Remote(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(a.keychain),
		remote.WithTransport(a.transport),
		remote.WithUserAgent(a.userAgent),
		remote.WithRetryStatusCodes(retryCodes...),
		remote.WithRetryBackoff(retryBackoff),
		remote.WithRetryPredicate(retryable),
	}
}
