// Package greet is a module that exists only in the test stack's module
// proxy: a fixture that imports it builds only where that proxy is reachable.
package greet

// Hello is linked into the binaries that import the module, so a test can
// find it in them.
func Hello() string {
	return "hello from mab.example/greet v1.0.0, fetched through GOPROXY"
}
