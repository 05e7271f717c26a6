// Package report formats a run's results for people and tools: the summary
// printed at the end, the --metadata-file document (docs/metadata.md), the
// GitHub Actions step summary, a plan and the lists a copy or verify read.
package report
