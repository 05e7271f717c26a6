package image

import (
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/istio-mab/istio-mab/run/envoy"
	"github.com/moby/buildkit/client/llb"
	"github.com/opencontainers/go-digest"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// BinariesLocal is the session name of the directory holding the checked
// binaries, laid out as compile.All lays them out.
const BinariesLocal = "istio-mab-binaries"

// Context is the Dockerfile build context for one platform of an image:
// <arch>/<binary>, <arch>/envoy, and the flat files (bootstrap JSON, wasm).
// A binary compiled on this node is copied from its compile's result in
// compiled (by compile.Path), which BuildKit has cached; any other is the
// client's checked copy, sent from the client.
func Context(p plan.Plan, img plan.Image, ip plan.ImagePlatform, src llb.State, compiled map[string]llb.State) llb.State {
	arch := ip.Platform.Architecture
	ctx := llb.Scratch()
	bins := ipBinaries(p, ip)
	local := clientBinaries(bins, compiled)
	for _, b := range bins {
		from, path := local, compile.Path(b)
		if st, ok := compiled[compile.Path(b)]; ok {
			from, path = st, "/"+compile.FileName(b)
		}
		ctx = ctx.File(llb.Copy(from, path, arch+"/"+b.Name, createDirs()),
			llb.WithCustomNamef("context %s: %s/%s", img.Name, arch, b.Name))
	}
	if ip.Envoy != nil {
		ctx = ctx.File(llb.Copy(envoy.State(*ip.Envoy, ip.Platform), envoy.File, arch+"/envoy", createDirs()),
			llb.WithCustomNamef("context %s: %s/envoy", img.Name, arch))
	}
	for _, name := range slices.Sorted(maps.Keys(img.Files)) {
		ctx = ctx.File(llb.Copy(src, img.Files[name], name), llb.WithCustomNamef("context %s: %s", img.Name, name))
	}
	for _, d := range img.Wasm {
		ctx = ctx.File(llb.Copy(Download(d), d.Name, d.Name),
			llb.WithCustomNamef("context %s: %s", img.Name, d.Name))
	}
	return ctx
}

// Download is the LLB of a download the context copies (a wasm filter):
// the run checks it with the same op, so BuildKit fetches it once.
func Download(d plan.Download) llb.State {
	// HTTP sources are 0600; Envoy reads the filters as uid 1337.
	opts := []llb.HTTPOption{llb.Filename(d.Name), llb.Chmod(0o644), llb.WithCustomNamef("download %s", d.Name)}
	if d.SHA256 != "" {
		opts = append(opts, llb.Checksum(digest.NewDigestFromEncoded(digest.SHA256, d.SHA256)))
	}
	return llb.HTTP(d.URL, opts...)
}

func ipBinaries(p plan.Plan, ip plan.ImagePlatform) []plan.Binary {
	var out []plan.Binary
	for _, name := range ip.Binaries {
		out = append(out, findBinary(p, name, ip.Platform))
	}
	return out
}

// clientBinaries is the local sending only the files of bins not in
// compiled: those compiled on another node.
func clientBinaries(bins []plan.Binary, compiled map[string]llb.State) llb.State {
	var paths []string
	for _, b := range bins {
		if _, ok := compiled[compile.Path(b)]; !ok {
			paths = append(paths, strings.TrimPrefix(compile.Path(b), "/"))
		}
	}
	return llb.Local(BinariesLocal, llb.FollowPaths(paths), llb.SharedKeyHint(BinariesLocal), llb.LocalUniqueID(BinariesLocal))
}

func findBinary(p plan.Plan, name string, pl ocispecs.Platform) plan.Binary {
	for _, b := range p.Binaries {
		if b.Name == name && platforms.Format(b.Platform) == platforms.Format(pl) {
			return b
		}
	}
	panic("plan has no " + name + " for " + platforms.Format(pl)) // plan.New guarantees it
}

func createDirs() *llb.CopyInfo { return &llb.CopyInfo{CreateDestPath: true} }
