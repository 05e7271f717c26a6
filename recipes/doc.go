// Package recipes holds what differs between Istio release lines (ldflags
// package, build tags, context files, build args, base images, Envoy URLs,
// archive names) as YAML data embedded in the binary, and selects the recipe
// for a version. A new release line is a data change, not a code change.
package recipes
