// Package release tests istio-mab's own release (tools/release, which
// `make release` runs) on the local stack: the archives and their
// checksums, and the CLI's image, read back from the registry and run on
// both platforms, independently of the checks the release tool makes.
package release
