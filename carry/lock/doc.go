// Package lock records every input of a resolved plan as an immutable id
// (source commit, go.sum digest, Go image and base image digests per
// platform, Envoy and wasm sha256, the recipe line), and holds a later plan
// to exactly those: any drift is refused, naming the input.
package lock
