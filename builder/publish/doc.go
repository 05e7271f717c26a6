// Package publish turns platform images that BuildKit pushed by digest into
// published multi-platform images: it verifies every platform image (config
// platform, and optionally the architecture of named binaries), assembles one
// manifest list per image, pushes it by digest, reads it back, and only then
// moves the tags. Until the last step no tag changes, so a tag always points
// either to what it pointed to before or to a complete, verified list.
package publish
