// Package soak is what the sustained-fault tests (e2e/soak) share with the
// single-fault cases (e2e/faults): the tag invariant read from a registry
// (Seed, CheckTags), the check that every manifest and blob a tag reaches
// exists (CheckBlobs), a registry process a test owns and can restart
// (StartRegistry), the catalogue of faults and a seeded draw of them per run
// (Catalogue, Draw), and the markdown report of a soak (Table).
package soak
