// Package trust tests signing and attestation: the stack's cosign, SBOM
// generator and referrers registry with real clients, build --sign-key and
// its SBOM and provenance attestations, and signed layouts carried across
// the air gap (import offline, mirror --verify-key).
package trust
