package soak

import (
	"context"
	"io"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// helmConfig is the config media type of a chart `helm push` writes.
const helmConfig = "application/vnd.cncf.helm.config.v1+json"

// ChartProblem says what keeps ref from being a complete Helm chart
// artefact (a manifest with Helm's config and one layer, every blob
// present and matching its digest), or "".
func ChartProblem(ctx context.Context, ref string) string {
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return err.Error()
	}
	img, err := remote.Image(r, remote.WithContext(ctx))
	if err != nil {
		return "not a readable manifest: " + err.Error()
	}
	m, err := img.Manifest()
	if err != nil {
		return err.Error()
	}
	if m.Config.MediaType != helmConfig || len(m.Layers) != 1 {
		return "not a Helm chart: config " + string(m.Config.MediaType)
	}
	if _, err := img.RawConfigFile(); err != nil {
		return "config missing: " + err.Error()
	}
	layers, err := img.Layers()
	if err != nil {
		return err.Error()
	}
	rc, err := layers[0].Compressed()
	if err != nil {
		return "package missing: " + err.Error()
	}
	defer rc.Close()
	if _, err := io.Copy(io.Discard, rc); err != nil { // checked against its digest
		return "package unreadable: " + err.Error()
	}
	return ""
}
