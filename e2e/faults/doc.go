// Package faults tests istio-mab under injected failures: a fault proxy in
// front of the registry (denied, rate-limited, interrupted, racing and
// lagging pushes, hostile answers), corrupt sources, a lost BuildKit node,
// local disk and input errors. Each run fails with one clear line and moves
// no tag, or recovers and moves both, and no secret reaches the output.
package faults
