package parse

import (
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	for s, want := range map[string]int64{
		"":        0,
		"700M":    700 << 20,
		"4G":      4 << 30,
		"4GiB":    4 << 30,
		"4gib":    4 << 30,
		"4GB":     4e9,
		"1048576": 1 << 20,
		"1024K":   1 << 20,
		"2T":      2 << 40,
	} {
		if got, err := Split("--split", s); err != nil || got != want {
			t.Errorf("Split(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for s, why := range map[string]string{
		"abc":         "is no size",
		"4X":          "is no size",
		"1.5G":        "is no size",
		"-5M":         "is no size",
		"0":           "is no size",
		"G":           "is no size",
		"4 G":         "is no size",
		"700":         "below 1M",
		"1000K":       "below 1M",
		"9999999999T": "too large",
	} {
		_, err := Split("--split", s)
		if err == nil || !strings.Contains(err.Error(), why) || !strings.Contains(err.Error(), "--split") || !strings.Contains(err.Error(), "e.g. --split") {
			t.Errorf("Split(%q) = %v, want an error saying %q and an example", s, err, why)
		}
	}
}
