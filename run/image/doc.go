// Package image turns one image platform of a plan into a BuildKit solve of
// the source's own Dockerfile: the build context assembled in LLB in
// upstream's ${TARGETARCH}/... layout, upstream's build args, base images
// redirected through named contexts, exported by digest. Pure: no daemon.
package image
