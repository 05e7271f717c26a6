// Package stack tests the local stack itself (scripts/stack-up.sh): each
// part (buildkitd for both platforms, the plain and secure registries, the
// git daemon, the file server of Envoy downloads and Go modules, the seeded
// base images) answers as the other e2e packages expect: a broken part fails
// here by name, not only as their failures.
package stack
