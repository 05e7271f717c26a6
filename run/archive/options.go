package archive

import (
	"fmt"
	"runtime"
	"time"
)

// Option configures Write.
type Option func(*options)

type options struct {
	modTime  time.Time
	parallel int
	previous string
}

// WithModTime sets the modification time recorded for istioctl inside every
// archive, SOURCE_DATE_EPOCH style; pass the release commit's time to tie the
// archives to the source. Sub-second parts are dropped. Default: Unix 0.
func WithModTime(t time.Time) Option {
	return func(o *options) { o.modTime = t }
}

// WithPrevious makes Write copy an archive of dir that already holds
// exactly the binary it would archive (same bytes and time) instead of
// compressing it again: a rebuild that left istioctl unchanged rewrites no
// archive.
func WithPrevious(dir string) Option {
	return func(o *options) { o.previous = dir }
}

// WithParallelism sets how many archives are compressed at once.
// Default: GOMAXPROCS.
func WithParallelism(n int) Option {
	return func(o *options) { o.parallel = n }
}

func makeOptions(opts []Option) (options, error) {
	o := options{modTime: time.Unix(0, 0), parallel: runtime.GOMAXPROCS(0)}
	for _, opt := range opts {
		opt(&o)
	}
	o.modTime = o.modTime.Truncate(time.Second).UTC()
	// USTAR headers hold unsigned octal seconds.
	if o.modTime.Before(time.Unix(0, 0)) {
		return o, fmt.Errorf("modification time %s is before 1970", o.modTime)
	}
	if o.parallel < 1 {
		return o, fmt.Errorf("parallelism %d is below 1", o.parallel)
	}
	return o, nil
}
