// Package publish turns platform images that BuildKit pushed by digest into
// published multi-platform images: it verifies every platform image (config
// platform, and optionally the architecture of named binaries), assembles one
// manifest list per image, pushes it by digest, reads it back, and only then
// moves the tags. Until the last step no tag changes, so a tag always points
// either to what it pointed to before or to a complete, verified list.
//
// With several images (pilot, proxyv2), Publish prepares all of them before
// moving any tag; callers wanting their own reporting between the phases call
// Prepare for every image, then MoveTags for each result.
//
// The same two stages write to an OCI layout instead (Layout: BuildKit's
// tarballs checked, copied in and read back, then index.json refs moved),
// or only check (Local, --push=false). Lists are OCI image indexes or Docker
// manifest lists, following their children's media type.
package publish
