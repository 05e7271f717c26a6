package resolve

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/istio-mab/istio-mab/internal/fsutil"
	"github.com/istio-mab/istio-mab/plan"
)

// stageCABundle copies --ca-bundle into the stage as plan.CABundleFile, alone
// in its directory: only that file is shared with BuildKit.
func stageCABundle(p plan.Plan, stage string) (plan.Plan, error) {
	if p.Go.CABundle == "" {
		return p, nil
	}
	out := p.Clone()
	dst := filepath.Join(stage, "ca", plan.CABundleFile)
	if err := copyFile(p.Go.CABundle, dst); err != nil {
		return plan.Plan{}, fmt.Errorf("staging --ca-bundle %s: %w", p.Go.CABundle, err)
	}
	out.Go.CABundle = dst
	return out, nil
}

// stageEnvoyFiles copies each file-supplied Envoy into the stage directory
// and returns a plan pointing at the copy: the file that is checked is then
// the file every image gets, even if the original changes meanwhile.
func stageEnvoyFiles(p plan.Plan, stage string) (plan.Plan, error) {
	out := p.Clone()
	for i := range out.Images {
		for j := range out.Images[i].Platforms {
			ip := &out.Images[i].Platforms[j]
			if ip.Envoy == nil || ip.Envoy.Kind != plan.EnvoyFile {
				continue
			}
			e := ip.Envoy
			dst := filepath.Join(stage, "envoy-src", platformDir(ip.Platform), filepath.Base(e.Ref))
			if err := copyFile(e.Ref, dst); err != nil {
				return plan.Plan{}, fmt.Errorf("staging --envoy file %s: %w", e.Ref, err)
			}
			e.Supplied, e.Ref = e.Ref, dst
		}
	}
	return out, nil
}

// platformDir keeps each platform's staged Envoy apart.
func platformDir(pl ocispecs.Platform) string {
	return strings.ReplaceAll(platforms.Format(pl), "/", "-")
}

func copyFile(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil // staged already for another image of the same platform
	}
	return fsutil.CopyNew(src, dst, 0o644)
}
