package main

import (
	"fmt"
	"os"
	"slices"

	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/internal/registry"
	"github.com/istio-mab/istio-mab/publish"
)

const upstreamHub = "docker.io/istio"

func newMirrorCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use: "mirror --version VERSION --hub REGISTRY/NAMESPACE [--from REGISTRY/NAMESPACE]",
		Example: `  # Copy upstream's multi-arch images of a release, digests and attestations kept:
  istio-mab mirror --version 1.22.0 --hub registry.internal/istio --from docker.io/istio`,
		Short: "Copy a release upstream published multi-arch (1.15 and later), every digest unchanged",
		Args:  cobra.NoArgs,
		RunE:  runMirror,
	}
	fl := cmd.Flags()
	fl.String("hub", "", "registry and namespace to copy to (e.g. registry.internal/istio)")
	fl.String("from", upstreamHub, "registry and namespace to copy from")
	fl.String("to", "", "oci-layout:DIR or tar:FILE: copy into an OCI layout instead of --hub")
	fl.String("images", "pilot,proxyv2,install-cni", "comma-separated images (add e.g. ztunnel where the release has it)")
	fl.String("platforms", "", "keep only these platforms of each list (the list digest then differs from the source's)")
	registerListFlags(cmd, "debug,distroless")
	return cmd
}

func runMirror(cmd *cobra.Command, _ []string) error {
	v, err := settings(cmd)
	if err != nil {
		return err
	}
	from, err := parseHub(v.GetString("from"))
	if err != nil {
		return fmt.Errorf("--from: %w", err)
	}
	r, recipe, err := releaseIn(v, from, unique(splitAll(v.GetStringSlice("images"))))
	if err != nil {
		return err
	}
	if !slices.Contains(recipe.Envoy.Arches, "arm64") {
		return fmt.Errorf("upstream published Istio %s for amd64 only: rebuild it for every platform with istio-mab build", r.Version)
	}
	o, err := mirrorOptions(cmd, v, recipe.Envoy.Arches)
	if err != nil {
		return err
	}
	access, err := parseAccess(v.fl, map[string]bool{})
	if err != nil {
		return err
	}
	res, st, err := mirror(cmd, v, access, r, o)
	if err != nil {
		return err
	}
	printCopy(cmd, res, st)
	return nil
}

// mirrorOptions: without --platforms, every list must hold an image for
// each architecture upstream published, so a list missing one (an
// attestation is not one) is refused before anything is copied.
func mirrorOptions(cmd *cobra.Command, v flagView, arches []string) (carry.CopyOptions, error) {
	var o carry.CopyOptions
	if v.GetString("platforms") == "" {
		for _, a := range arches {
			o.Require = append(o.Require, ocispecs.Platform{OS: "linux", Architecture: a})
		}
		return o, nil
	}
	var err error
	if o.Platforms, err = parsePlatforms(v.fl); err != nil {
		return o, err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "warning: --platforms writes new lists: their digests differ from the source's, so nothing signed or pinned upstream matches them")
	return o, nil
}

func mirror(cmd *cobra.Command, v flagView, access *registry.Access, r carry.Release, o carry.CopyOptions) ([]*publish.Result, carry.Stats, error) {
	ctx := cmd.Context()
	if to := v.GetString("to"); to != "" {
		out, err := parseOutput(to)
		if err != nil || !out.set() {
			return nil, carry.Stats{}, fmt.Errorf("--to %q: use oci-layout:DIR or tar:FILE", to)
		}
		res, st, err := carry.ToLayout(ctx, access, r, out.layoutDir, o)
		if err == nil && out.tarFile != "" {
			err = carry.Pack(out.layoutDir, out.tarFile)
			os.RemoveAll(out.layoutDir)
		}
		return res, st, err
	}
	hub, err := parseHub(v.GetString("hub"))
	if err != nil {
		return nil, carry.Stats{}, err
	}
	return carry.ToRegistry(ctx, access, r, hub, o)
}
