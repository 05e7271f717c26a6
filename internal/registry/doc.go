// Package registry holds how istio-mab reaches container registries: which
// credentials, which hosts may be spoken to over plain HTTP, which extra
// certificate authorities to trust, and how registry errors are explained to
// a user. Every registry call in istio-mab takes its remote options from an
// Access, so these rules are decided in one place.
package registry
