package run

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/istio-mab/istio-mab/plan"
	"github.com/istio-mab/istio-mab/run/compile"
	"github.com/istio-mab/istio-mab/run/envoy"
)

// stageCABundle copies --ca-bundle into the stage as compile.CAFile, alone
// in its directory: only that file is shared with BuildKit.
func stageCABundle(p plan.Plan, stage string) (plan.Plan, error) {
	if p.Go.CABundle == "" {
		return p, nil
	}
	out := p.Clone()
	dst := filepath.Join(stage, "ca", compile.CAFile)
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
			dst := filepath.Join(stage, "envoy-src", envoy.LocalName(ip.Platform), filepath.Base(e.Ref))
			if err := copyFile(e.Ref, dst); err != nil {
				return plan.Plan{}, fmt.Errorf("staging --envoy file %s: %w", e.Ref, err)
			}
			e.Supplied, e.Ref = e.Ref, dst
		}
	}
	return out, nil
}

func copyFile(src, dst string) error {
	if _, err := os.Stat(dst); err == nil {
		return nil // staged already for another image of the same platform
	}
	return copyNew(src, dst, 0o644)
}

// copyNew copies src to dst, which must not exist yet, with mode.
func copyNew(src, dst string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
