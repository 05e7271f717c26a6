package main

import (
	"crypto/x509"
	"errors"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// classifyRun gives a build's error the exit code of its kind when no stage
// classified it: a docker config that cannot be read is bad input (2); a
// registry that refuses, rate-limits or cannot be trusted is registry
// access (3).
func classifyRun(err error) error {
	var (
		cred    *registry.CredentialsError
		auth    *registry.AuthError
		plain   *registry.PlainHTTPError
		limited *registry.RateLimitError
		down    *registry.DowngradeError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
	)
	switch {
	case errors.As(err, &cred):
		return failure.Usage(err)
	case errors.As(err, &auth), errors.As(err, &plain), errors.As(err, &limited), errors.As(err, &down), errors.As(err, &unknown), errors.As(err, &host):
		return failure.Registry(err)
	}
	return err
}
