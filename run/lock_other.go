//go:build !unix

package run

import "errors"

// canLock is false: without a lock, runs could share an export directory,
// so each run exports into its own.
const canLock = false

func lockDir(string) (func(), error) { return nil, errors.New("no directory locks here") }
