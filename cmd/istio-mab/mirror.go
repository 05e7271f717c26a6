package main

import (
	"fmt"
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/sign"

	"github.com/spf13/cobra"
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
	fl.String("verify-key", "", "public key (e.g. upstream's istio-key.pub) that must have signed every list, image and attestation\n"+
		"at the source; checked before anything is written; signatures are copied along")
	fl.String("platforms", "", "keep only these platforms of each list (the list digest then differs from the source's)")
	registerListFlags(cmd, "debug,distroless")
	return cmd
}

func runMirror(cmd *cobra.Command, _ []string) error {
	v, err := settings(cmd)
	if err != nil {
		return err
	}
	req, err := mirrorRequest(v)
	if err != nil {
		return failure.Usage(err)
	}
	warn := func(w string) { fmt.Fprintln(cmd.ErrOrStderr(), "warning:", w) }
	res, err := istiomab.Mirror(cmd.Context(), req, istiomab.WithWarnings(warn))
	if err != nil {
		return err
	}
	printCopy(cmd, res)
	return nil
}

func mirrorRequest(v flagView) (istiomab.MirrorRequest, error) {
	from, err := parseHub(v.GetString("from"))
	if err != nil {
		return istiomab.MirrorRequest{}, fmt.Errorf("--from: %w", err)
	}
	req := istiomab.MirrorRequest{Release: releaseFlags(v, from), Registries: registriesOf(v.fl)}
	if k := v.GetString("verify-key"); k != "" {
		if req.VerifyKey, err = sign.LoadPublicKey(k); err != nil {
			return req, fmt.Errorf("--verify-key: %w", err)
		}
	}
	if v.GetString("platforms") != "" {
		if req.Platforms, err = parsePlatforms(v.fl); err != nil {
			return req, err
		}
	}
	if to := v.GetString("to"); to != "" {
		out, err := parseOutput(to)
		if err != nil || !out.set() {
			return req, fmt.Errorf("--to %q: use oci-layout:DIR or tar:FILE", to)
		}
		req.To = out.output()
		return req, nil
	}
	req.Hub, err = parseHub(v.GetString("hub"))
	return req, err
}

// mirrorOptions: without --platforms, every list must hold an image for
// each architecture upstream published, so a list missing one (an
// attestation is not one) is refused before anything is copied.
