package registry

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
)

// UntrustedError reports a registry whose TLS certificate is not trusted.
// It is reported before a refused plain-HTTP fallback: ggcr retries loopback
// and private hosts over HTTP after a TLS failure, and the certificate is
// the cause the user can fix.
type UntrustedError struct {
	Host string
	err  error
}

func (e *UntrustedError) Error() string {
	return fmt.Sprintf("TLS certificate of %s is not trusted (%v): pass --registry-ca FILE with its CA, or --insecure-registry %s for plain HTTP",
		e.Host, e.err, e.Host)
}

func (e *UntrustedError) Unwrap() error { return e.err }

// untrusted finds a certificate verification failure in err.
func untrusted(host string, err error) error {
	var (
		cv      *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		name    x509.HostnameError
		invalid x509.CertificateInvalidError
	)
	switch {
	case errors.As(err, &cv):
		return &UntrustedError{Host: host, err: cv.Err}
	case errors.As(err, &unknown):
		return &UntrustedError{Host: host, err: unknown}
	case errors.As(err, &name):
		return &UntrustedError{Host: host, err: name}
	case errors.As(err, &invalid):
		return &UntrustedError{Host: host, err: invalid}
	}
	return nil
}
