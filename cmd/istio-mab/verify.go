package main

import (
	"fmt"

	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
)

const verifyExample = `  # Check a release you published, every image and variant:
  istio-mab verify --version 1.22.0 --hub registry.example.com/istio --variants debug,distroless

  # Check upstream's own release for linux/arm64:
  istio-mab verify --version 1.22.0 --hub docker.io/istio --platform linux/arm64

  # Check lists by reference (the image is named by the repository's last component):
  istio-mab verify registry.example.com/istio/pilot:1.22.0 registry.example.com/istio/proxyv2@sha256:...`

func newVerifyCommand() *cobra.Command {
	var f istiomab.VerifyFlags
	cmd := &cobra.Command{
		Use:   "verify (--version VERSION --hub REGISTRY/NAMESPACE | IMAGE_REFERENCE...)",
		Short: "Check published manifest lists: platforms, binaries' CPU architecture, the config their Dockerfile declares",
		Long: "verify reads published manifest lists, made by istio-mab or anyone else (upstream's releases\n" +
			"included), and checks that every expected platform has an entry, that each entry's platform\n" +
			"equals its image config's, that every binary the release ships (pilot-discovery, pilot-agent,\n" +
			"envoy) is an executable for that platform, and that USER, ENTRYPOINT and CMD are what the\n" +
			"list's Dockerfile set (as istio-mab records it on the lists it builds). A release is checked\n" +
			"under every tag build moves: VERSION and VERSION-debug for the debug variant.\n" +
			"It prints one line per problem and exits 5 if there is any.",
		Example: verifyExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := settle(cmd); err != nil {
				return err
			}
			req, err := f.Request(args, func(note string) { fmt.Fprintln(cmd.ErrOrStderr(), note) })
			if err != nil {
				return err
			}
			res, err := istiomab.Verify(cmd.Context(), req)
			for _, l := range res.Lists {
				report.PrintCheck(cmd.OutOrStdout(), l.Check, l.Problems)
			}
			return err
		},
	}
	fl := cmd.Flags()
	addReleaseFlags(fl, &f.Release, "verify")
	addRegistryFlags(fl, &f.Registries)
	fl.StringVar(&f.Key, "key", "", "cosign public key (cosign.pub): every list, platform image and attestation must carry a signature by it")
	registerCompletions(cmd)
	return cmd
}
