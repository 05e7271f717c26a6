package main

import (
	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/istio-mab/istio-mab/report"

	"github.com/spf13/cobra"
)

func newImportCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use: "import --from DIR|FILE --hub REGISTRY/NAMESPACE",
		Example: `  # Inside the air gap: push a carried layout (or its tarball) to the internal registry:
  istio-mab import --from istio-1.22.0.tar --hub registry.internal/istio`,
		Short: "Push a layout written by build --output or export into a registry, verify it, then tag",
		Args:  cobra.NoArgs,
		RunE:  runImport,
	}
	fl := cmd.Flags()
	fl.String("from", "", "the OCI layout directory, or its tarball (tar:FILE of build --output)")
	fl.String("hub", "", "registry and namespace to push to (e.g. registry.internal/istio)")
	registerRegistryFlags(cmd.Flags())
	return cmd
}

func runImport(cmd *cobra.Command, _ []string) error {
	v, err := settings(cmd)
	if err != nil {
		return err
	}
	hub, err := parseHub(v.GetString("hub"))
	if err != nil {
		return failure.Usage(err)
	}
	res, err := istiomab.Import(cmd.Context(), istiomab.ImportRequest{From: v.GetString("from"), Hub: hub, Registries: registriesOf(v.fl)})
	if err != nil {
		return err
	}
	report.PrintLists(cmd.OutOrStdout(), res)
	return nil
}

// layoutFrom is the layout directory of --from: the directory itself, or a
// tarball unpacked into a temporary one that cleanup removes.
