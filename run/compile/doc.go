// Package compile turns a plan's binaries into LLB: Go cross-compiles that run
// on the build platform with GOOS/GOARCH set, never under emulation (an
// emulated arm64 compile of pilot-discovery took 7x as long), with persistent
// module and build caches so an unchanged rebuild compiles nothing.
package compile
