// Package plan resolves what one istio-mab run will do into plain data: which
// binaries are compiled for which platforms, which images are built from which
// inputs, where they are pushed and under which tags. A plan is printable and
// is turned into BuildKit requests by pure functions elsewhere.
package plan
