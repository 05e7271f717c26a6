package lock

import (
	"fmt"
	"strings"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/plan"
)

// Apply holds p, just resolved, to l: every input must be the one l
// records, or the first that is not is named; the downloads are then
// pinned to l's sha256s, which BuildKit checks as it fetches them. Inputs
// are compared by content (digest, sha256), not by where they come from,
// so a lock written against upstream holds a build from internal mirrors.
func Apply(p plan.Plan, line string, l Lock) (plan.Plan, error) {
	if err := sameInputs(p, line, l); err != nil {
		return plan.Plan{}, fmt.Errorf("--lock: %w; write a new lock with istio-mab lock to accept it", err)
	}
	out := p.Clone()
	envoys, wasm := map[string]File{}, map[string]File{}
	for _, f := range l.Envoys {
		envoys[f.Platform] = f
	}
	for _, f := range l.Wasm {
		wasm[f.Name] = f
	}
	for i := range out.Images {
		img := &out.Images[i]
		for j := range img.Platforms {
			if err := pinEnvoy(&img.Platforms[j], envoys); err != nil {
				return plan.Plan{}, fmt.Errorf("--lock: %w", err)
			}
		}
		for j, w := range img.Wasm {
			f, ok := wasm[w.Name]
			if !ok {
				return plan.Plan{}, fmt.Errorf("--lock: wasm filter %s is not in the lock file; write a new lock with istio-mab lock to accept it", w.Name)
			}
			img.Wasm[j].SHA256 = f.SHA256
		}
	}
	return out, nil
}

func sameInputs(p plan.Plan, line string, l Lock) error {
	same := []struct{ what, got, want string }{
		{"Istio version", p.Version, l.Version},
		{"recipe line", line, l.Recipe},
		{"source commit at tag " + p.Version, p.Facts.Commit, l.Commit},
		{"go.sum sha256", p.Facts.GoSum, l.GoSum},
	}
	if len(p.Nodes) > 0 {
		same = append(same, struct{ what, got, want string }{"Go image digest", digestOf(p.Nodes[0].GoImage), digestOf(l.GoImage)})
	}
	for _, s := range same {
		if s.got != s.want {
			return fmt.Errorf("%s is %q, the lock has %q", s.what, s.got, s.want)
		}
	}
	return sameBases(p, l)
}

// sameBases compares every base image of every platform both ways.
func sameBases(p plan.Plan, l Lock) error {
	locked := map[string]string{}
	for _, b := range l.Bases {
		locked[b.Image+" for "+b.Platform] = b.Pinned
	}
	used := map[string]bool{}
	for _, img := range p.Images {
		for _, ip := range img.Platforms {
			for k, v := range ip.Bases {
				key := k + " for " + platforms.Format(ip.Platform)
				used[key] = true
				if want, ok := locked[key]; !ok {
					return fmt.Errorf("base image %s is not in the lock file", key)
				} else if digestOf(v) != digestOf(want) {
					return fmt.Errorf("base image %s resolves to %s, the lock has %s", key, v, want)
				}
			}
		}
	}
	for _, b := range l.Bases {
		if key := b.Image + " for " + b.Platform; !used[key] {
			return fmt.Errorf("the lock has base image %s, which this build does not use", key)
		}
	}
	return nil
}

func pinEnvoy(ip *plan.ImagePlatform, envoys map[string]File) error {
	if ip.Envoy == nil {
		return nil
	}
	pl := platforms.Format(ip.Platform)
	f, ok := envoys[pl]
	e := ip.Envoy
	source := e.Name()
	if e.Kind == plan.EnvoyImage {
		source = e.Ref
	}
	switch {
	case !ok:
		return fmt.Errorf("Envoy for %s is not in the lock file", pl)
	case e.Kind == plan.EnvoyImage && digestOf(source) != digestOf(f.Source):
		return fmt.Errorf("Envoy for %s is %s, the lock has %s", pl, source, f.Source)
	case e.SHA256 != "" && f.SHA256 != "" && e.SHA256 != f.SHA256:
		return fmt.Errorf("--envoy-sha256 %s for %s differs from the lock's %s", e.SHA256, pl, f.SHA256)
	}
	if e.Kind != plan.EnvoyImage {
		e.SHA256 = f.SHA256
	}
	return nil
}

// digestOf is the digest of REF@DIGEST, what the lock holds a build to
// wherever the image is pulled from.
func digestOf(ref string) string {
	if i := strings.LastIndex(ref, "@"); i >= 0 {
		return ref[i+1:]
	}
	return ref
}
