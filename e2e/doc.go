// Package e2e holds the end-to-end tests: they run istio-mab and the stack's
// parts for real against the local stack that `make up` starts (buildkitd,
// registries, git daemon, a file server of Envoy downloads and Go modules),
// whose endpoints it reads from the environment written to .stack/env.
package e2e
