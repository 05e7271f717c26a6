// Package run executes a resolved plan on BuildKit nodes into a sink (a
// registry, an OCI layout, or a local check): compile and check the
// binaries, fetch and check each Envoy, build each image platform on its
// node, prepare every manifest list, write the istioctl archives, and only
// then move tags. The LLB builders live in the packages below it; this one
// only sequences them.
package run
