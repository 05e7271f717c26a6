// Command release builds istio-mab's own release, as `make release` runs it:
// the CLI cross-compiled on the host (never under emulation) for linux,
// darwin and windows on amd64 and arm64 with its version stamped, one
// archive per target named as goreleaser names them, a sha256
// checksums.txt, each archived binary checked for its platform by
// internal/exe; and, given -image, a linux/amd64+linux/arm64 image of the
// CLI built by BuildKit through internal/buildkit, pushed as one list, then
// run on both platforms (arm64 under QEMU) to print its version.
package main
