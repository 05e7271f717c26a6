//go:build !unix

package carry

import "io/fs"

// links is 1 where the file system does not say: a hard link is not seen.
func links(fs.FileInfo) uint64 { return 1 }
