package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ExplainPinError says how to fix a failure to pull the SBOM generator, and
// rewrites a failure to resolve a digest-pinned base image
// from --base-registry into one line naming the image variants that need it
// and how to fill the mirror. Upstream pins proxyv2's distroless stage by
// digest up to 1.22, and a mirror filled by tag holds other digests. err is
// the pinning step's error, which names the reference it could not resolve;
// any other error is returned unchanged.
func ExplainPinError(p Plan, err error) error {
	if err != nil && p.Attest.SBOM && strings.Contains(err.Error(), "resolving "+p.Attest.SBOMGenerator+" ") {
		return fmt.Errorf("%w: the SBOM generator must be reachable from the node: name a mirror of it with --sbom-generator, or turn SBOMs off with --sbom=false", err)
	}
	if err == nil || !strings.Contains(err.Error(), "not found") {
		return err
	}
	for _, c := range digestContexts(p) {
		if strings.Contains(err.Error(), "resolving "+c.target+" ") {
			return fmt.Errorf("base image %s, needed by %s, is not in --base-registry: copy %s into the mirror by digest (crane copy, or skopeo copy --all --preserve-digests; a copy by tag changes the digest)",
				c.target, strings.Join(NeededBy(p, c.target), " and "), c.upstream)
		}
	}
	return err
}

// NeededBy names the image variants whose build pulls ref (a redirect
// target), e.g. "proxyv2 distroless".
func NeededBy(p Plan, ref string) []string {
	var out []string
	for _, img := range p.Images {
		for _, v := range img.NamedContexts {
			if strings.TrimPrefix(v, "docker-image://") == ref {
				out = append(out, img.Name+" "+img.Variant)
				break
			}
		}
	}
	return out
}

type redirect struct{ upstream, target string }

// digestContexts are the redirects whose base is pinned by digest.
func digestContexts(p Plan) []redirect {
	var out []redirect
	for _, img := range p.Images {
		for _, k := range slices.Sorted(maps.Keys(img.NamedContexts)) {
			target := strings.TrimPrefix(img.NamedContexts[k], "docker-image://")
			if strings.Contains(target, "@sha256:") {
				out = append(out, redirect{upstream: k, target: target})
			}
		}
	}
	return out
}
