package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/moby/buildkit/client/llb"

	"github.com/istio-mab/istio-mab/internal/buildkit"
	"github.com/istio-mab/istio-mab/internal/registry"
)

// checkImage reads the pushed list back from the registry and runs
// `istio-mab version` in it on each platform, through BuildKit (arm64
// under the daemon's QEMU on an amd64 node): the list must hold exactly
// the image platforms, each printing the release's version for its own
// GOOS/GOARCH.
func checkImage(ctx context.Context, c *buildkit.Client, ref, version string, w io.Writer) error {
	got, err := listPlatforms(ctx, ref)
	if err != nil {
		return err
	}
	want := make([]string, len(imageTargets))
	for i, t := range imageTargets {
		want[i] = t.String()
	}
	if !slices.Equal(got, want) {
		return fmt.Errorf("image list %s has platforms %v, want %v", ref, got, want)
	}
	fmt.Fprintf(w, "image list platforms: %s\n", strings.Join(got, ", "))
	for _, t := range imageTargets {
		out, err := runVersion(ctx, c, ref, t)
		if err != nil {
			return err
		}
		if err := checkVersionOutput(out, version, t); err != nil {
			return fmt.Errorf("%s in %s: %w", t, ref, err)
		}
		fmt.Fprintf(w, "%s: %s\n", t, oneLine(out))
	}
	return nil
}

// listPlatforms is the sorted platforms of the index at ref.
func listPlatforms(ctx context.Context, ref string) ([]string, error) {
	var opts []registry.Option
	d, err := name.NewDigest(ref)
	if err != nil {
		return nil, err
	}
	if loopback(ref) {
		opts = append(opts, registry.WithInsecure(d.RegistryStr()))
	}
	acc, err := registry.New(opts...)
	if err != nil {
		return nil, err
	}
	repo, err := acc.Repository(d.Context().Name())
	if err != nil {
		return nil, err
	}
	idx, err := remote.Index(repo.Digest(d.DigestStr()), acc.Remote(ctx)...)
	if err != nil {
		return nil, fmt.Errorf("reading image list %s: %w", ref, err)
	}
	m, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, desc := range m.Manifests {
		if desc.Platform == nil {
			return nil, fmt.Errorf("image list %s: manifest %s has no platform", ref, desc.Digest)
		}
		out = append(out, desc.Platform.String())
	}
	slices.Sort(out)
	return out, nil
}

// runVersion runs the image's binary as the image's user, uncached, and
// returns what it printed.
func runVersion(ctx context.Context, c *buildkit.Client, ref string, t target) (string, error) {
	pl := t.platform()
	st := llb.Image(ref, llb.Platform(pl)).
		Run(llb.Args([]string{"/usr/local/bin/istio-mab", "version"}), llb.User("65532:65532"),
			llb.IgnoreCache, llb.WithCustomName("istio-mab version on "+platforms.Format(pl))).Root()
	def, err := st.Marshal(ctx, llb.Platform(pl))
	if err != nil {
		return "", err
	}
	out, err := c.Output(ctx, def)
	if err != nil {
		return "", fmt.Errorf("running istio-mab version on %s: %w", t, err)
	}
	return string(out), nil
}

// checkVersionOutput wants the stamped version and the binary's own
// GOOS/GOARCH in `istio-mab version`'s output.
func checkVersionOutput(out, version string, t target) error {
	lines := strings.Split(out, "\n")
	if !slices.Contains(lines, "istio-mab: "+version) {
		return fmt.Errorf("version printed %q, want the line %q", out, "istio-mab: "+version)
	}
	for _, l := range lines {
		if strings.HasPrefix(l, "go:") && strings.HasSuffix(l, " "+t.String()) {
			return nil
		}
	}
	return fmt.Errorf("version printed %q, want a go: line ending in %s", out, t)
}

// oneLine joins the output's lines with "; ", their inner runs of spaces
// squeezed, for a one-line report.
func oneLine(out string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "; ")
}
