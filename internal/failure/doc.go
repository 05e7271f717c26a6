// Package failure classifies errors by what went wrong, so the command can
// exit with a code a CI job can act on: retry a registry outage, fix its
// input, or page someone when tags moved half-way. See docs/exit-codes.md.
package failure
