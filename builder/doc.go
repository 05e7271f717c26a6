// Package builder is the pipeline's middle: Resolve turns options into an
// immutable plan (facts read, images pinned, local files staged, every step
// on a BuildKit node), and Run executes a plan on Solvers (BuildKit nodes)
// into a Sink (a registry, or a local check): compile and check the
// binaries, fetch and check each Envoy, build each image platform on its
// node, prepare every manifest list, write the istioctl archives, and only
// then move tags. The stages live in the packages below; this one only
// sequences them.
package builder
