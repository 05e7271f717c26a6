package parse

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MinSplit is the smallest part --split accepts: smaller parts only
// multiply files (a bundle is tens of megabytes at least).
const MinSplit = 1 << 20

// units are --split's suffixes, as split(1) reads them: K, M, G, T and
// KiB... are powers of 1024, KB, MB... powers of 1000; case does not matter.
var units = map[string]int64{
	"": 1, "b": 1,
	"k": 1 << 10, "kib": 1 << 10, "kb": 1e3,
	"m": 1 << 20, "mib": 1 << 20, "mb": 1e6,
	"g": 1 << 30, "gib": 1 << 30, "gb": 1e9,
	"t": 1 << 40, "tib": 1 << 40, "tb": 1e12,
}

// Split reads a part size for flag: a whole number of bytes, or with a
// unit (700M, 4G, 4GiB, 1048576); empty is no split. At least MinSplit.
func Split(flag, s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit, ok := units[strings.ToLower(s[len(num):])]
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is no size: give bytes or a whole number with K, M, G or T (1024-based; KB, MB, GB: 1000-based), e.g. %s 4G", flag, s, flag)
	}
	if n > math.MaxInt64/unit {
		return 0, fmt.Errorf("%s %q is too large: e.g. %s 4G", flag, s, flag)
	}
	if n*unit < MinSplit {
		return 0, fmt.Errorf("%s %q is below 1M, the smallest part: e.g. %s 700M", flag, s, flag)
	}
	return n * unit, nil
}
