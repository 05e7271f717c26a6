// Package cli tests the commands and settings around a build: plan, which
// needs no daemon; verify, of published lists and of lists made wrong by
// hand; and the strict reading of settings from the environment and the
// config file.
package cli
