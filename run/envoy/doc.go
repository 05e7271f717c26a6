// Package envoy turns an Envoy source (upstream's tarball URL, or what the
// user supplies with --envoy: a URL, a local file, or an image to take
// /usr/local/bin/envoy from) into LLB whose result holds only /envoy.
// Pure: no daemon; the builder checks the result before any image uses it.
package envoy
