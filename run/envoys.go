package run

import (
	"context"
	"fmt"
	"github.com/istio-mab/istio-mab/internal/fsutil"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/exe"
	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/resolve/source"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/istio-mab/istio-mab/run/envoy"
	"github.com/istio-mab/istio-mab/run/image"
	"github.com/moby/buildkit/client"
)

// platformEnvoy is one platform's Envoy and the node whose images take it.
type platformEnvoy struct {
	ip    plan.ImagePlatform
	envoy plan.Envoy
}

// envoys lists each platform's Envoy once.
func envoys(p plan.Plan) []platformEnvoy {
	seen := map[string]bool{}
	var out []platformEnvoy
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			if key := platforms.Format(ip.Platform); ip.Envoy != nil && !seen[key] {
				seen[key] = true
				out = append(out, platformEnvoy{ip, *ip.Envoy})
			}
		}
	}
	return out
}

// checkEnvoy fetches one Envoy on the node that builds its images, exactly
// as they will get it, and checks it is an executable for its platform and
// matches its pin, before any image uses it.
func (r runner) checkEnvoy(ctx context.Context, pe platformEnvoy) error {
	pl := pe.ip.Platform
	what := fmt.Sprintf("Envoy for %s (%s)", platforms.Format(pl), pe.envoy.Name())
	if pe.envoy.Kind == plan.EnvoyFile {
		if err := checkPin(pe.envoy.Ref, pe.envoy.SHA256); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	def, err := envoy.Checked(pe.envoy, pl).Marshal(ctx)
	if err != nil {
		return err
	}
	dir := filepath.Join(r.stage, "envoy", envoy.LocalName(pl))
	opt := client.SolveOpt{Exports: []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: dir}}}
	if _, err := r.solvers[pe.ip.Node].Solve(ctx, def, opt, r.locals()); err != nil {
		return fmt.Errorf("fetching %s: %w", what, explainDigest(err, pe.envoy))
	}
	bin := filepath.Join(dir, envoy.File)
	if err := exe.CheckFile(bin, pl); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	switch pe.envoy.Kind {
	case plan.EnvoyImage:
		if err := checkPin(bin, pe.envoy.SHA256); err != nil {
			return fmt.Errorf("%s: /usr/local/bin/envoy %w", what, err)
		}
	case plan.EnvoyURL:
		return r.sums.hash(pe.envoy.Ref, filepath.Join(dir, envoy.Download))
	case plan.EnvoyFile:
		return r.sums.hash(pe.envoy.Ref, pe.envoy.Ref) // the staged copy the images get
	}
	return nil
}

// checkPin compares a file's sha256 with --envoy-sha256, if given.
func checkPin(path, want string) error {
	if want == "" {
		return nil
	}
	got, err := fsutil.FileSHA256(path)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("has sha256 %s, but --envoy-sha256 pins %s", got, want)
	}
	return nil
}

// explainDigest turns BuildKit's checksum failure of a pinned download into
// the same wording as the other pins.
func explainDigest(err error, e plan.Envoy) error {
	if e.SHA256 != "" && strings.Contains(err.Error(), "digest mismatch") {
		return fmt.Errorf("the download does not match --envoy-sha256 %s (%v)", e.SHA256, err)
	}
	return err
}

// locals are the host directories BuildKit reads: a source checkout, file
// Envoys, the checked binaries and the extra CAs.
func (r runner) locals() map[string]string {
	out := envoy.Locals(r.p)
	if r.p.Source.Dir != "" {
		out[source.LocalName] = r.p.Source.Dir
	}
	out[image.BinariesLocal] = r.binDir()
	if r.p.Go.CABundle != "" {
		out[compile.CALocal] = filepath.Dir(r.p.Go.CABundle)
	}
	return out
}

// withGoSecrets gives the module download its .netrc, if any.
func (r runner) withGoSecrets(opt client.SolveOpt) client.SolveOpt {
	if r.p.Go.Netrc != "" {
		if a, err := buildkit.FileSecret(compile.NetrcSecret, r.p.Go.Netrc); err == nil {
			opt.Session = append(opt.Session, a)
		}
	}
	return opt
}
