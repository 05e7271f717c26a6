package plan

import (
	"net/url"
	"strings"
)

// Redact shows a URL without what may be a secret: user info (a password or
// a token as user name) and the query (signed URLs carry tokens there).
// Anything that is not such a URL is returned as is.
func Redact(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return s
	}
	if u.User != nil {
		u.User = url.User("redacted")
	}
	if u.RawQuery != "" {
		u.RawQuery = "redacted"
	}
	return u.String()
}

// Secrets are the parts of these URLs that Redact hides, for scrubbing
// text that other components (BuildKit's errors and logs) print verbatim.
func Secrets(urls ...string) []string {
	var out []string
	for _, s := range urls {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			continue
		}
		if u.User != nil {
			out = append(out, u.User.String()+"@")
		}
		if u.RawQuery != "" {
			out = append(out, "?"+u.RawQuery)
		}
	}
	return out
}

// Scrub replaces every secret in s.
func Scrub(s string, secrets []string) string {
	for _, secret := range secrets {
		replacement := "redacted@"
		if strings.HasPrefix(secret, "?") {
			replacement = "?redacted"
		}
		s = strings.ReplaceAll(s, secret, replacement)
	}
	return s
}

// SecretURLs are the plan inputs that may carry credentials in their URL.
func (o Options) SecretURLs() []string {
	urls := []string{o.Source.GitURL, o.EnvoyBaseURL}
	for _, e := range o.Envoy {
		urls = append(urls, e.Ref)
	}
	return urls
}
