package main

import (
	"errors"
	"testing"
)

func TestOneLineJoinsARegistrysErrorList(t *testing.T) {
	for in, want := range map[string]string{
		"building pilot: failed to push r/pilot: errors:\nunknown: provided digest did not match uploaded content\nunknown: blob unknown to registry - sha256:ab\n\n": "building pilot: failed to push r/pilot: errors: unknown: provided digest did not match uploaded content; unknown: blob unknown to registry - sha256:ab",
		"--hub: want REGISTRY/PATH": "--hub: want REGISTRY/PATH",
		"a\n  b":                    "a; b",
	} {
		if got := oneLine(errors.New(in)); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}
