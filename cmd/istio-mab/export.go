package main

import (
	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
)

func newExportCommand() *cobra.Command {
	var f istiomab.ExportFlags
	cmd := &cobra.Command{
		Use: "export --version VERSION --hub REGISTRY/NAMESPACE --to DIR",
		Example: `  # Carry lists already published into an OCI layout, digests unchanged:
  istio-mab export --version 1.22.0 --hub registry.example.com/istio --to oci-layout:./istio-1.22.0
  # The same as a tarball in parts of at most 4 GiB (istio.tar.part-001, ...):
  istio-mab export --version 1.22.0 --hub registry.example.com/istio --to tar:istio.tar --split 4G
  # Only the layers a previous bundle lacks, to import onto that bundle's import:
  istio-mab export --version 1.22.0 --hub registry.example.com/istio --to tar:./istio-delta.tar --since ./istio-1.22.0`,
		Short: "Copy a release's lists from a registry into an OCI layout to carry across an air gap",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := settle(cmd); err != nil {
				return err
			}
			req, err := f.Request()
			if err != nil {
				return err
			}
			res, err := istiomab.Export(cmd.Context(), req)
			if err != nil {
				return err
			}
			printCopy(cmd, res)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.Release.Hub, "hub", "", "registry and namespace the lists are in (e.g. registry.example.com/istio)")
	fl.StringVar(&f.Release.Images, "images", "pilot,proxyv2", "images, comma-separated or repeated")
	fl.StringVar(&f.To, "to", "", "the OCI layout directory (oci-layout:DIR), or tar:FILE")
	fl.StringVar(&f.Split, "split", "", splitUsage)
	fl.StringVar(&f.Since, "since", "", "a previous bundle (directory, tarball or its istio-mab.json): write a delta, leaving out the layers it carried")
	addListFlags(fl, &f.Release, &f.Registries, "debug")
	return cmd
}
