// Package buildkit is the one place that holds a BuildKit client: it connects
// to the daemon, attaches the session (registry credentials from the docker
// config and its helpers, local sources), runs solves and shows their progress.
package buildkit
