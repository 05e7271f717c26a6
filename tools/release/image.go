package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/moby/buildkit/client"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/fsutil"
)

// imageConfig is where the CLI's own image goes, and what builds it.
type imageConfig struct {
	repo, tags, buildkitAddr, caBundle string
}

// imageTargets are the image's platforms: the linux targets of the release.
var imageTargets = []target{{"linux", "amd64"}, {"linux", "arm64"}}

func addImageFlags(fs *flag.FlagSet, c *imageConfig) {
	addr := os.Getenv("BUILDKIT_HOST")
	if addr == "" {
		addr = buildkit.DefaultAddress
	}
	fs.StringVar(&c.repo, "image", "", "repository to push the CLI's linux/amd64+linux/arm64 image to (none: no image)")
	fs.StringVar(&c.tags, "tags", "", "comma-separated image tags (default: the version)")
	fs.StringVar(&c.buildkitAddr, "buildkit-addr", addr, "BuildKit daemon that builds the image ($BUILDKIT_HOST)")
	fs.StringVar(&c.caBundle, "ca-bundle", "/etc/ssl/certs/ca-certificates.crt", "CA certificates the image trusts")
}

// dockerfile puts the static CLI on an empty base with CA certificates,
// running as a non-root user as distroless's nonroot images do.
const dockerfile = `FROM scratch
ARG TARGETOS TARGETARCH VERSION REVISION
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY tmp /tmp
COPY --chown=65532:65532 home /home/nonroot
COPY ${TARGETOS}_${TARGETARCH}/istio-mab /usr/local/bin/istio-mab
ENV HOME=/home/nonroot
USER 65532:65532
LABEL org.opencontainers.image.title=istio-mab org.opencontainers.image.version=${VERSION} org.opencontainers.image.revision=${REVISION}
ENTRYPOINT ["/usr/local/bin/istio-mab"]
`

// releaseImage builds and pushes the image as one list, then checks it.
func releaseImage(ctx context.Context, cfg config, bins map[target]string, w io.Writer) error {
	dir, err := imageContext(cfg.image.caBundle, bins)
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	prog, err := buildkit.NewProgress(ctx, os.Stderr, "plain", nil)
	if err != nil {
		return err
	}
	c, err := buildkit.Connect(ctx, cfg.image.buildkitAddr, buildkit.TLS{}, prog)
	if err != nil {
		prog.Close()
		return err
	}
	defer c.Close()
	dgst, err := pushImage(ctx, c, cfg, dir)
	if cerr := prog.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	ref := cfg.image.repo + "@" + dgst
	fmt.Fprintf(w, "image: %s (tags %s)\n", ref, strings.Join(imageTags(cfg), ","))
	return checkImage(ctx, c, ref, cfg.version, w)
}

// imageContext is a build context with the linux binaries under
// <os>_<arch>/, the CA bundle and the directories the image needs.
func imageContext(caBundle string, bins map[target]string) (string, error) {
	dir, err := os.MkdirTemp("", "istio-mab-image-")
	if err != nil {
		return "", err
	}
	if err := writeContext(dir, caBundle, bins); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}

func writeContext(dir, caBundle string, bins map[target]string) error {
	for _, t := range imageTargets {
		if bins[t] == "" {
			return fmt.Errorf("the image needs %s among -targets", t)
		}
		if err := fsutil.CopyNew(bins[t], filepath.Join(dir, t.os+"_"+t.arch, "istio-mab"), 0o755); err != nil {
			return err
		}
	}
	if err := fsutil.CopyNew(caBundle, filepath.Join(dir, "ca-certificates.crt"), 0o644); err != nil {
		return fmt.Errorf("CA bundle: %w", err)
	}
	for _, d := range []string{"home", "tmp"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			return err
		}
	}
	// /tmp is world-writable and sticky, as on any Linux system.
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o777|os.ModeSticky); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644)
}

// pushImage solves the Dockerfile for both platforms in one solve, which
// BuildKit exports as one OCI index under every tag, and returns its digest.
func pushImage(ctx context.Context, c *buildkit.Client, cfg config, dir string) (string, error) {
	names := make([]string, 0, 2)
	for _, tag := range imageTags(cfg) {
		names = append(names, cfg.image.repo+":"+tag)
	}
	attrs := map[string]string{
		"name":              strings.Join(names, ","),
		"push":              "true",
		"oci-mediatypes":    "true",
		"rewrite-timestamp": "true",
	}
	if loopback(cfg.image.repo) {
		attrs["registry.insecure"] = "true"
	}
	plats := make([]string, len(imageTargets))
	for i, t := range imageTargets {
		plats[i] = t.String()
	}
	opt := client.SolveOpt{
		Frontend: "dockerfile.v0",
		FrontendAttrs: map[string]string{
			"filename":                    "Dockerfile",
			"platform":                    strings.Join(plats, ","),
			"build-arg:VERSION":           cfg.version,
			"build-arg:REVISION":          cfg.commit,
			"build-arg:SOURCE_DATE_EPOCH": strconv.FormatInt(cfg.date.Unix(), 10),
		},
		Exports: []client.ExportEntry{{Type: client.ExporterImage, Attrs: attrs}},
	}
	resp, err := c.Solve(ctx, nil, opt, map[string]string{"context": dir, "dockerfile": dir})
	if err != nil {
		return "", fmt.Errorf("building the image: %w", err)
	}
	dgst := resp["containerimage.digest"]
	if dgst == "" {
		return "", fmt.Errorf("building the image: BuildKit returned no digest")
	}
	return dgst, nil
}

func imageTags(cfg config) []string {
	if cfg.image.tags == "" {
		return []string{cfg.version}
	}
	return strings.Split(cfg.image.tags, ",")
}

// loopback says ref's registry (ref being a repository, or an image by tag
// or digest) is on this machine, which is reached over plain HTTP as Docker
// reaches localhost registries; any other must speak TLS.
func loopback(ref string) bool {
	r, err := name.ParseReference(ref)
	if err != nil {
		return false
	}
	host := r.Context().RegistryStr()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
