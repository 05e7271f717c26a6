package exe

import (
	"bytes"
	"strings"
	"testing"

	"github.com/containerd/platforms"
)

// A stream is identified from its headers as a file is from all of it,
// for each platform istioctl is built for.
func TestCheckStreamMatchesCheck(t *testing.T) {
	for _, pl := range []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "darwin/amd64", "darwin/arm64", "windows/amd64"} {
		t.Run(pl, func(t *testing.T) {
			p := platforms.MustParse(pl)
			bin := buildHello(t, p.OS, p.Architecture, strings.TrimPrefix(p.Variant, "v"))
			if err := CheckStream(bytes.NewReader(bin), p); err != nil {
				t.Fatal(err)
			}
			other := platforms.MustParse("linux/arm64")
			if pl == "linux/arm64" {
				other = platforms.MustParse("linux/amd64")
			}
			want := Check(bytes.NewReader(bin), other)
			if got := CheckStream(bytes.NewReader(bin), other); got == nil || want == nil || got.Error() != want.Error() {
				t.Fatalf("as %s: stream says %v, file says %v", platforms.Format(other), got, want)
			}
		})
	}
}

// Each format's headers say how far its sections reach, so a binary cut
// short fails; Mach-O's __LINKEDIT reaches the last byte.
func TestCheckStreamRejectsTruncated(t *testing.T) {
	for _, pl := range []string{"linux/amd64", "darwin/arm64", "windows/amd64"} {
		p := platforms.MustParse(pl)
		bin := buildHello(t, p.OS, p.Architecture, "")
		cuts := []int{len(bin) / 2, len(bin) - 4096}
		if p.OS == "darwin" {
			cuts = append(cuts, len(bin)-1)
		}
		for _, cut := range cuts {
			err := CheckStream(bytes.NewReader(bin[:cut]), p)
			if err == nil || !strings.Contains(err.Error(), "truncated") {
				t.Errorf("%s cut to %d of %d bytes: got %v", pl, cut, len(bin), err)
			}
		}
	}
}

func TestCheckStreamRejectsText(t *testing.T) {
	amd64 := platforms.MustParse("linux/amd64")
	for _, text := range []string{"#!/bin/sh\necho hi\n", "MZ", "\x7fELF", ""} {
		if err := CheckStream(strings.NewReader(text), amd64); err == nil {
			t.Errorf("%q: want an error", text)
		}
	}
}
