package image

import (
	"io"
	"strconv"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
)

// LayerCompressionLevel is the gzip level of every layer BuildKit writes.
// rewrite-timestamp compresses each new layer twice (BuildKit's blob, then
// the rewritten one), and an unchanged layer of a rebuilt image again at
// every export; Go's level 4 does that in half the CPU of the default level
// 6, for a pilot-discovery layer 4 % larger.
const LayerCompressionLevel = 4

// DescriptorKey is the exporter response key holding the pushed manifest's
// descriptor (base64 JSON, with its platform).
const DescriptorKey = "containerimage.descriptor"

// SolveOpt is the Dockerfile frontend solve for one image platform, without
// its export, which the sink chooses (PushExport, OCIExport).
func SolveOpt(img plan.Image, ip plan.ImagePlatform, attest plan.Attest, ctx, src llb.State) client.SolveOpt {
	attrs := map[string]string{
		"filename": img.Dockerfile,
		"platform": platforms.Format(ip.Platform),
	}
	for k, v := range img.BuildArgs {
		attrs["build-arg:"+k] = v
	}
	for k, v := range img.NamedContexts {
		attrs["context:"+k] = v
	}
	for k, v := range ip.Bases {
		attrs["context:"+k] = v
	}
	for k, v := range AttestAttrs(attest) {
		attrs[k] = v
	}
	return client.SolveOpt{
		Frontend:       "dockerfile.v0",
		FrontendAttrs:  attrs,
		FrontendInputs: map[string]llb.State{"context": ctx, "dockerfile": src},
	}
}

// PushExport pushes the image to repo by digest, in mt's manifest format.
// insecure allows plain HTTP to repo's registry and must be set only when
// the user named that host.
func PushExport(repo string, insecure bool, mt plan.MediaTypes) client.ExportEntry {
	return client.ExportEntry{Type: client.ExporterImage, Attrs: exportAttrs(repo, true, insecure, mt)}
}

func exportAttrs(repo string, push, insecure bool, mt plan.MediaTypes) map[string]string {
	attrs := map[string]string{
		"name": repo,
		// The list is assembled from these manifests, so both share mt.
		"oci-mediatypes": strconv.FormatBool(mt != plan.Docker),
		// Layers carry SOURCE_DATE_EPOCH times, so rebuilds give the same digests.
		"rewrite-timestamp": "true",
		"push":              strconv.FormatBool(push),
		// Tags move only after every platform is verified, so push untagged.
		"push-by-digest":    "true",
		"compression":       "gzip",
		"compression-level": strconv.Itoa(LayerCompressionLevel),
	}
	if insecure {
		attrs["registry.insecure"] = "true"
	}
	return attrs
}

// OCIExport writes the image as an OCI layout tarball to w instead of
// pushing it, so an image built with --push=false can still be checked.
func OCIExport(repo string, w io.WriteCloser, mt plan.MediaTypes) client.ExportEntry {
	attrs := exportAttrs(repo, false, false, mt)
	delete(attrs, "push")
	delete(attrs, "push-by-digest")
	return client.ExportEntry{
		Type:   client.ExporterOCI,
		Attrs:  attrs,
		Output: func(map[string]string) (io.WriteCloser, error) { return w, nil },
	}
}

// AttestAttrs are the frontend attributes that make BuildKit attach its
// attestations to the image: SLSA v1 provenance with every input (mode=max)
// and an SBOM from the generator image, which also scans the final stage.
func AttestAttrs(a plan.Attest) map[string]string {
	out := map[string]string{}
	if a.Provenance {
		out["attest:provenance"] = "mode=max,version=v1"
	}
	if a.SBOM {
		out["attest:sbom"] = "generator=" + a.SBOMGenerator
	}
	return out
}
