// Package e2etest is what the end-to-end tests under e2e/ share: the local
// stack that `make up` starts (buildkitd, registries, git daemon, a file
// server of Envoy downloads and Go modules), read from the environment
// written to .stack/env (Stack, LoadStack); the istio-mab command, built
// once per test package and run with a clean environment (IstioMab,
// RunIstioMab, Main); the arguments that point a build at the stack
// (StackArgs, UniqueHub); and the checks of what a build published (images,
// archives, registries, progress output, key pairs, second BuildKit nodes).
//
// The tests themselves live in one package per concern (e2e/build,
// e2e/faults, e2e/airgap, ...); a helper only one of them needs stays in its
// test files, unless it is part of one here (ImageModes, beside ImageFiles).
package e2etest
