// Package nodes tests builds across BuildKit daemons: one build spread over
// two nodes by platform, fresh builders that give the same digests and find
// the lists up to date, a registry cache carried to a fresh builder, and a
// node that does not answer.
package nodes
