// Package bench measures istio-mab: cross-compiling against compiling under
// QEMU (BenchmarkCompileCrossVsEmulated), the real-size fixture built each
// way (BenchmarkRealSize, with its gated TestRealSize e2e), and the cost of
// signing and attesting (BenchmarkTrustOverhead). `make bench` runs them;
// `make e2e` runs only the tests here that need no gate.
package bench
