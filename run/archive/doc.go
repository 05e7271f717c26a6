// Package archive writes and verifies the standalone istioctl release
// archives (istioctl-V-linux-amd64.tar.gz, istioctl-V-win.zip, ...) the way
// Istio's release-builder publishes them, each with its FILE.sha256, but
// reproducibly: the same binary always gives a byte-identical archive.
package archive
