// Package exe identifies the format, OS and CPU architecture of a compiled
// binary from its headers, without running it: a binary built for the wrong
// architecture otherwise surfaces only on a node as "exec format error".
package exe
