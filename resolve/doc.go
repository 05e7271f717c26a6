// Package resolve turns a build's options into an immutable plan: it reads
// the source's facts through a BuildKit node, finds each node's platforms
// and Go image, assigns every step to a node, pins every image a node will
// pull, records the inputs a later run compares to skip an up-to-date
// rebuild, and stages local files. run executes what it returns.
package resolve
