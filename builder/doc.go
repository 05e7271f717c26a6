// Package builder runs a resolved plan through the pipeline: compile the Go
// binaries and check them, build each image platform with BuildKit, publish
// the manifest lists, and write the istioctl archives. Each stage lives in
// its own package below; this one only sequences them.
package builder
