// Package parse turns the command line's text (a flag, an ISTIO_MAB_*
// variable or a config value) into the typed values a request holds:
// hubs, platforms, Envoy sources, BuildKit nodes, caches, outputs. Each
// error names the flag the text came from, so the user knows what to fix.
package parse
