package publish

import (
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// CheckImage runs the checks Verify runs on a pushed platform image on one
// that was never pushed (--push=false): the config's platform, and that each
// path in binaries is an executable for it.
func CheckImage(img v1.Image, want v1.Platform, binaries []string) error {
	cfg, err := img.ConfigFile()
	if err != nil {
		return err
	}
	got := cfg.Platform()
	if err := matchPlatform(want, got); err != nil {
		return err
	}
	return checkBinaries(img, *got, binaries)
}
