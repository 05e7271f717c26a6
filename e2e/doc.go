// Package e2e holds the end-to-end tests: they run istio-mab and the stack's
// parts for real against the local stack that `make up` starts (buildkitd,
// registries, git daemon, Envoy file server), whose endpoints it reads from
// the environment written to .stack/env.
package e2e
