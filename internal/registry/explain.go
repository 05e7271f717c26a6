package registry

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// AuthError reports credentials the registry rejected. Its message names
// the host and the fix, never the credentials.
type AuthError struct {
	Host   string
	Status int
	err    error
}

func (e *AuthError) Error() string {
	return fmt.Sprintf("authentication failed for %s (%d): check the credentials in docker config (docker login %s)",
		e.Host, e.Status, e.Host)
}

func (e *AuthError) Unwrap() error { return e.err }

// Explain wraps err from a call on ref as "op ref: ...", replacing ggcr's
// long errors with one clear line for refused credentials and refused plain
// HTTP. 401 and 403 are not retried by ggcr, so they already fail fast.
func Explain(op string, ref name.Reference, err error) error {
	if err == nil {
		return nil
	}
	target, host := ref.String(), ref.Context().RegistryStr()
	if u := untrusted(host, err); u != nil {
		return fmt.Errorf("%s %s: %w", op, target, u)
	}
	if u := unreachable(host, err); u != nil {
		return fmt.Errorf("%s %s: %w", op, target, u)
	}
	var plain *PlainHTTPError
	if errors.As(err, &plain) {
		return fmt.Errorf("%s %s: %w", op, target, plain)
	}
	var terr *transport.Error
	if errors.As(err, &terr) && (terr.StatusCode == http.StatusUnauthorized || terr.StatusCode == http.StatusForbidden) {
		return fmt.Errorf("%s %s: %w", op, target, &AuthError{Host: host, Status: terr.StatusCode, err: err})
	}
	return fmt.Errorf("%s %s: %w", op, target, summarise(withoutQuery(err)))
}

// withoutQuery drops the query of the URL a failed request names: upload
// locations carry long opaque state, and redirects to storage carry signed
// parameters (?sig=...) that are credentials; neither helps the reader,
// and the query hid the cause (a checksum, a reset) behind the cut.
func withoutQuery(err error) error {
	var uerr *url.Error
	if !errors.As(err, &uerr) {
		return err
	}
	bare, _, found := strings.Cut(uerr.URL, "?")
	if !found {
		return err
	}
	return &summarised{msg: strings.ReplaceAll(err.Error(), uerr.URL, bare), err: err}
}

// maxMessage bounds a registry's error text in istio-mab's one-line error.
// ggcr reads at most 64 KiB of an error body; a hostile or broken registry
// may send that much HTML or filler, which says nothing more when printed whole.
const maxMessage = 300

type summarised struct {
	msg string
	err error
}

func (s *summarised) Error() string { return s.msg }
func (s *summarised) Unwrap() error { return s.err }

func summarise(err error) error {
	msg := err.Error()
	if len(msg) <= maxMessage {
		return err
	}
	msg = strings.ToValidUTF8(strings.Join(strings.Fields(msg[:maxMessage]), " "), "")
	return &summarised{msg: fmt.Sprintf("%s... (%d more bytes of the registry's answer not shown)", msg, len(err.Error())-maxMessage), err: err}
}

// CredentialsError reports a docker config or credential helper that could
// not be read, before any request: a local mistake, not the registry's.
type CredentialsError struct{ err error }

func (e *CredentialsError) Error() string {
	return fmt.Sprintf("%v: fix the docker config ($DOCKER_CONFIG/config.json) or install its credential helper", e.err)
}

func (e *CredentialsError) Unwrap() error { return e.err }
