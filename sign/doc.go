// Package sign signs and verifies published images and their attestations
// with a cosign-compatible key, offline: no transparency log, no Fulcio.
// Where the registry implements the OCI 1.1 referrers API, signatures and
// attestations are Sigstore bundles pushed as referrers, as cosign v3
// writes them; elsewhere they go under cosign's tags (REPO:sha256-<hex>.sig
// and .att), which every registry stores. cosign, Kyverno and sigstore's
// policy-controller verify both (`cosign verify --key K --insecure-ignore-tlog`).
package sign
