// Package sign signs and verifies published images with a cosign-compatible
// key, offline: no transparency log, no Fulcio. Signatures are written in
// cosign's tag scheme (REPO:sha256-<hex>.sig, a simple-signing payload per
// layer), which every registry stores and cosign, Kyverno and sigstore's
// policy-controller verify (`cosign verify --key K --insecure-ignore-tlog`).
package sign
