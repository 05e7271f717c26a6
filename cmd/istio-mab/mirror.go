package main

import (
	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
)

const upstreamHub = "docker.io/istio"

func newMirrorCommand() *cobra.Command {
	var f istiomab.MirrorFlags
	cmd := &cobra.Command{
		Use: "mirror --version VERSION --hub REGISTRY/NAMESPACE [--from REGISTRY/NAMESPACE]",
		Example: `  # Copy upstream's multi-arch images of a release, digests and attestations kept:
  istio-mab mirror --version 1.22.0 --hub registry.internal/istio --from docker.io/istio`,
		Short: "Copy a release upstream published multi-arch (1.15 and later), every digest unchanged",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := settle(cmd); err != nil {
				return err
			}
			req, err := f.Request()
			if err != nil {
				return err
			}
			res, err := istiomab.Mirror(cmd.Context(), req, istiomab.WithWarnings(warnings(cmd)))
			if err != nil {
				return err
			}
			printCopy(cmd, res)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Release.Hub, "hub", "", "registry and namespace to copy to (e.g. registry.internal/istio)")
	fl.StringVar(&f.From, "from", upstreamHub, "registry and namespace to copy from")
	fl.StringVar(&f.To, "to", "", "oci-layout:DIR or tar:FILE: copy into an OCI layout instead of --hub")
	fl.StringVar(&f.Split, "split", "", splitUsage)
	fl.StringVar(&f.Release.Images, "images", "pilot,proxyv2,install-cni", "images, comma-separated or repeated (add e.g. ztunnel where the release has it)")
	fl.StringVar(&f.VerifyKey, "verify-key", "", "public key (e.g. upstream's istio-key.pub) that must have signed every list, image and attestation\n"+
		"at the source; checked before anything is written; signatures are copied along")
	fl.StringVar(&f.Release.Platforms, "platforms", "", "keep only these platforms of each list (comma-separated or repeated) (the list digest then differs from the source's)")
	addListFlags(fl, &f.Release, &f.Registries, "debug,distroless")
	return cmd
}
