// Package build tests `istio-mab build` on the local stack: the images and
// archives made of each fixture release (1.22, 1.14 with its Envoy and wasm
// downloads, CNI, variants, a directory source, a digest-pinned base), the
// metadata file, what one changed file recompiles, the kept exports, what is
// refused before anything is pushed, the secure registry, and the library
// program examples/rebuild.
package build
