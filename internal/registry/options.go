package registry

import (
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
)

// Option configures an Access.
type Option func(*options) error

type options struct {
	keychain  authn.Keychain
	insecure  map[string]bool
	rootCAs   *x509.CertPool
	userAgent string
}

// WithKeychain sets where credentials come from.
// Default: authn.DefaultKeychain (docker config.json and its credential helpers).
func WithKeychain(k authn.Keychain) Option {
	return func(o *options) error {
		if k == nil {
			return errors.New("keychain is nil")
		}
		o.keychain = k
		return nil
	}
}

// WithInsecure allows plain HTTP to each host, given as host[:port] exactly
// as it appears in image references (e.g. "registry.local:5000").
// Default: none; every host, loopback included, must speak TLS.
func WithInsecure(hosts ...string) Option {
	return func(o *options) error {
		for _, h := range hosts {
			reg, err := name.NewRegistry(h, name.StrictValidation)
			if err != nil || reg.RegistryStr() != h {
				return fmt.Errorf("insecure registry %q: want host[:port] without scheme or path", h)
			}
			o.insecure[h] = true
		}
		return nil
	}
}

// WithRootCAs trusts the PEM certificates in file in addition to the
// system roots, for registries with a private certificate authority.
// Default: system roots only.
func WithRootCAs(file string) Option {
	return func(o *options) error {
		pem, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("reading root CAs: %w", err)
		}
		pool := o.rootCAs // a second file adds to the first
		if pool == nil {
			if pool, err = x509.SystemCertPool(); err != nil {
				pool = x509.NewCertPool()
			}
		}
		if !pool.AppendCertsFromPEM(pem) {
			return fmt.Errorf("reading root CAs: no PEM certificate in %s", file)
		}
		o.rootCAs = pool
		return nil
	}
}

// WithUserAgent sets the User-Agent sent to registries. Default: "istio-mab".
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		if ua == "" {
			return errors.New("user agent is empty")
		}
		o.userAgent = ua
		return nil
	}
}
