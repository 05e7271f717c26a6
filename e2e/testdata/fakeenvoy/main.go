// Command envoy is a stand-in for Istio's Envoy build in end-to-end tests: it
// reports the proxy SHA it was built for, the way `envoy --version` does.
package main

import (
	"fmt"
	"os"
	"runtime"
)

// proxySHA is set with -ldflags "-X main.proxySHA=<sha>".
var proxySHA = "unknown"

func main() {
	for _, a := range os.Args[1:] {
		if a == "--version" || a == "version" {
			fmt.Printf("envoy  version: %s/1.0.0-fake/Clean/RELEASE/BoringSSL arch=%s\n", proxySHA, runtime.GOARCH)
			return
		}
	}
	fmt.Fprintln(os.Stderr, "fake envoy: only --version is implemented")
	os.Exit(1)
}
