// Package airgap tests carrying a release across an air gap: build --output
// writes an OCI layout with its lock (each download fetched once) and
// contents file, import pushes a layout into a registry, also from a network
// namespace with no way out, and refuses hostile bundles before any request
// to the registry, mirror copies published lists between registries, and a
// build runs offline from what was carried. Signed layouts are tested in
// e2e/trust.
package airgap
