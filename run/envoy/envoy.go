package envoy

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/moby/buildkit/client/llb"
	digest "github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// File is the Envoy binary's path in State's result.
const File = "envoy"

// inImage is where Istio's proxyv2 images (and community builds) keep Envoy.
const inImage = "usr/local/bin/envoy"

// LocalName is the session name under which a file Envoy for pl is shared.
func LocalName(pl ocispecs.Platform) string {
	return "envoy-" + strings.ReplaceAll(platforms.Format(pl), "/", "-")
}

// State is the LLB of e for pl; its result holds only /envoy, mode 0755.
func State(e plan.Envoy, pl ocispecs.Platform) llb.State {
	name := func(format string) llb.ConstraintsOpt {
		return llb.WithCustomNamef(format+" Envoy for %s", platforms.Format(pl))
	}
	switch e.Kind {
	case plan.EnvoyImage:
		img := llb.Image(e.Ref, llb.Platform(pl), name("resolve"))
		return extract(img, inImage, name("take"))
	case plan.EnvoyFile:
		base := filepath.Base(e.Ref)
		local := llb.Local(LocalName(pl), llb.IncludePatterns([]string{base}), llb.SharedKeyHint(e.Ref), name("read"))
		return fromFile(local, base, e.Tarball, name)
	default:
		return fromFile(download(e, pl), Download, e.Tarball, name)
	}
}

// Download is the name of the raw download in Checked's result.
const Download = "download"

func download(e plan.Envoy, pl ocispecs.Platform) llb.State {
	opts := []llb.HTTPOption{llb.Filename(Download), llb.WithCustomNamef("download Envoy for %s", platforms.Format(pl))}
	if e.SHA256 != "" {
		opts = append(opts, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, e.SHA256)))
	}
	return llb.HTTP(e.Ref, opts...)
}

// Checked is State's result plus, for a URL, the download as fetched
// (/download), so the run hashes what it checked instead of fetching again.
func Checked(e plan.Envoy, pl ocispecs.Platform) llb.State {
	st := State(e, pl)
	if e.Kind != plan.EnvoyURL {
		return st
	}
	return st.File(llb.Copy(download(e, pl), Download, "/"+Download), llb.WithCustomNamef("keep the Envoy download for %s", platforms.Format(pl)))
}

func fromFile(st llb.State, file string, tarball bool, name func(string) llb.ConstraintsOpt) llb.State {
	if !tarball {
		return extract(st, file, name("take"))
	}
	unpacked := llb.Scratch().File(llb.Copy(st, file, "/", &llb.CopyInfo{AttemptUnpack: true}), name("unpack"))
	return extract(unpacked, inImage, name("take"))
}

func extract(st llb.State, path string, opt llb.ConstraintsOpt) llb.State {
	mode := llb.ChmodOpt{Mode: os.FileMode(0o755)}
	return llb.Scratch().File(llb.Copy(st, path, "/"+File, &llb.CopyInfo{Mode: &mode}), opt)
}

// Locals are the directories the session must share for file Envoys.
func Locals(p plan.Plan) map[string]string {
	out := map[string]string{}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			if ip.Envoy != nil && ip.Envoy.Kind == plan.EnvoyFile {
				out[LocalName(ip.Platform)] = filepath.Dir(ip.Envoy.Ref)
			}
		}
	}
	return out
}
