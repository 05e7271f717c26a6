package plan

import (
	"fmt"
	"strings"

	"github.com/containerd/platforms"
	"github.com/istio-mab/istio-mab/recipes"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
)

// binaries lists each (binary, platform) compile once, images' first, then istioctl's.
func binaries(o Options, r recipes.Recipe, f Facts, images []Image, archives []Archive) ([]Binary, error) {
	seen := map[string]bool{}
	var out []Binary
	add := func(name string, pl ocispecs.Platform) error {
		key := name + "@" + platforms.Format(pl)
		if seen[key] {
			return nil
		}
		seen[key] = true
		spec, ok := r.Binaries[name]
		if !ok {
			return fmt.Errorf("recipe %s: binary %s has no package", r.Line, name)
		}
		out = append(out, Binary{
			Name: name, Package: spec.Package, Tags: spec.Tags, Platform: pl, LDFlags: ldflags(r, o, f, pl),
			BuildPlatform: o.BuildPlatform, GoImage: o.GoImage,
		})
		return nil
	}
	for _, img := range images {
		for _, ip := range img.Platforms {
			for _, b := range ip.Binaries {
				if err := add(b, ip.Platform); err != nil {
					return nil, err
				}
			}
		}
	}
	for _, a := range archives {
		if err := add("istioctl", a.Platform); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ldflags are upstream's (common/scripts/gobuild.sh) for a release build,
// with the user's hub and tag: Istio takes the images it installs from
// buildHub and buildVersion (pkg/version's DockerInfo), so buildVersion is
// the tag this run pushes, and buildTag the release's git tag, as upstream.
func ldflags(r recipes.Recipe, o Options, f Facts, pl ocispecs.Platform) string {
	tag := o.Tag
	if tag == "" {
		tag = o.Version
	}
	vars := []string{
		"buildVersion=" + tag, "buildGitRevision=" + f.Commit, "buildStatus=Clean",
		"buildTag=" + o.Version, "buildHub=" + o.Hub,
	}
	if r.BuildOSArch {
		vars = append(vars, "buildOS="+pl.OS, "buildArch="+pl.Architecture)
	}
	flags := []string{"-extldflags -static", "-s", "-w"}
	for _, v := range vars {
		flags = append(flags, "-X "+r.VersionPackage+"."+v)
	}
	return strings.Join(flags, " ")
}
