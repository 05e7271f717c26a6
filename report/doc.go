// Package report formats a run's results for people and tools: the summary
// printed at the end, the --metadata-file document (docs/metadata.md) and
// the GitHub Actions step summary.
package report
