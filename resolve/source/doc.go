// Package source gives the Istio source tree as a BuildKit LLB state (a git
// tag or a local directory) and reads the facts a build needs from the tree
// itself: commit, commit time, proxy SHA and BASE_VERSION.
package source
