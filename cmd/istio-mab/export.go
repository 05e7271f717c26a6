package main

import (
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/internal/failure"

	"github.com/spf13/cobra"
)

func newExportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use: "export --version VERSION --hub REGISTRY/NAMESPACE --to DIR",
		Example: `  # Carry lists already published into an OCI layout, digests unchanged:
  istio-mab export --version 1.22.0 --hub registry.example.com/istio --to oci-layout:./istio-1.22.0`,
		Short: "Copy a release's lists from a registry into an OCI layout to carry across an air gap",
		Args:  cobra.NoArgs,
		RunE:  runExport,
	}
	fl := cmd.Flags()
	fl.String("hub", "", "registry and namespace the lists are in (e.g. registry.example.com/istio)")
	fl.String("images", "pilot,proxyv2", "comma-separated images")
	fl.String("to", "", "the OCI layout directory (oci-layout:DIR), or tar:FILE")
	registerListFlags(cmd, "debug")
	return cmd
}

func runExport(cmd *cobra.Command, _ []string) error {
	v, err := settings(cmd)
	if err != nil {
		return err
	}
	hub, err := parseHub(v.GetString("hub"))
	if err != nil {
		return failure.Usage(err)
	}
	out, err := parseTo(v.GetString("to"))
	if err != nil {
		return failure.Usage(err)
	}
	res, err := istiomab.Export(cmd.Context(), istiomab.ExportRequest{Release: releaseFlags(v, hub), To: out.output(), Registries: registriesOf(v.fl)})
	if err != nil {
		return err
	}
	printCopy(cmd, res)
	return nil
}

// parseTo reads --to: a directory, oci-layout:DIR or tar:FILE.
func parseTo(s string) (airgapOptions, error) {
	if s == "" {
		return airgapOptions{}, errRequired("--to", "the OCI layout to write, e.g. --to oci-layout:/media/usb/istio")
	}
	if o, err := parseOutput(s); err == nil {
		return o, nil
	}
	return airgapOptions{layoutDir: s}, nil
}
