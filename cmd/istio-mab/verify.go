package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/containerd/platforms"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/publish"
	ocispecs "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"
)

const verifyExample = `  # Check a release you published, every image and variant:
  istio-mab verify --version 1.22.0 --hub registry.example.com/istio --variants debug,distroless

  # Check upstream's own release for linux/arm64:
  istio-mab verify --version 1.22.0 --hub docker.io/istio --platform linux/arm64

  # Check lists by reference (the image is named by the repository's last component):
  istio-mab verify registry.example.com/istio/pilot:1.22.0 registry.example.com/istio/proxyv2@sha256:...`

func newVerifyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify (--version VERSION --hub REGISTRY/NAMESPACE | IMAGE_REFERENCE...)",
		Short: "Check published manifest lists: platforms, binaries' CPU architecture, USER and ENTRYPOINT",
		Long: "verify reads published manifest lists, made by istio-mab or anyone else (upstream's releases\n" +
			"included), and checks that every expected platform has an entry, that each entry's platform\n" +
			"equals its image config's, that every binary the release ships (pilot-discovery, pilot-agent,\n" +
			"envoy) is an executable for that platform, and that USER and ENTRYPOINT are set.\n" +
			"It prints one line per problem and exits 5 if there is any.",
		Example: verifyExample,
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := verifyOptionsFrom(cmd, args)
			if err != nil {
				return err
			}
			return runVerify(cmd, o)
		},
	}
	fl := cmd.Flags()
	registerReleaseFlags(fl, "verify")
	registerRegistryFlags(fl)
	registerCompletions(cmd)
	return cmd
}

func runVerify(cmd *cobra.Command, o verifyOptions) error {
	pub, err := publish.New(o.access)
	if err != nil {
		return err
	}
	bad := 0
	for _, check := range o.checks {
		problems, err := pub.VerifyList(cmd.Context(), check)
		if err != nil {
			return failure.Registry(err)
		}
		reportList(cmd.OutOrStdout(), check, problems)
		if len(problems) > 0 {
			bad++
		}
	}
	if bad > 0 {
		return failure.Verify(fmt.Errorf("verification failed: %d of %d manifest lists have problems (listed above)", bad, len(o.checks)))
	}
	return nil
}

func reportList(w io.Writer, check publish.ListCheck, problems []publish.Problem) {
	if len(problems) == 0 {
		fmt.Fprintf(w, "ok %s (%s)\n", check.Ref, platformNames(check.Platforms))
		return
	}
	for _, p := range problems {
		fmt.Fprintln(w, p.String())
	}
}

func platformNames(pls []ocispecs.Platform) string {
	names := make([]string, len(pls))
	for i, p := range pls {
		names[i] = platforms.Format(p)
	}
	return strings.Join(names, ", ")
}
