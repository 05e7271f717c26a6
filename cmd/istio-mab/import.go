package main

import (
	"github.com/spf13/cobra"

	istiomab "github.com/istio-mab/istio-mab"
	"github.com/istio-mab/istio-mab/report"
)

func newImportCommand() *cobra.Command {
	var f istiomab.ImportFlags
	cmd := &cobra.Command{
		Use: "import --from DIR|FILE --hub REGISTRY/NAMESPACE",
		Example: `  # Inside the air gap: push a carried layout (or its tarball) to the internal registry:
  istio-mab import --from istio-1.22.0.tar --hub registry.internal/istio
  # A bundle written with --split: name the tarball (or its first part); every part is read:
  istio-mab import --from istio-1.22.0.tar.part-001 --hub registry.internal/istio`,
		Short: "Push a layout written by build --output or export into a registry, verify it, then tag",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := settle(cmd); err != nil {
				return err
			}
			req, err := f.Request()
			if err != nil {
				return err
			}
			res, err := istiomab.Import(cmd.Context(), req)
			if err != nil {
				return err
			}
			report.PrintLists(cmd.OutOrStdout(), res.Lists)
			report.PrintInstall(cmd.OutOrStdout(), res.Install, req.ValuesOut)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.From, "from", "", "the OCI layout directory, or its tarball (tar:FILE of build --output), or the tarball's parts\n"+
		"(--split): FILE or FILE.part-001 reads FILE.part-* as one; a missing part fails with nothing pushed")
	fl.StringVar(&f.Hub, "hub", "", "registry and namespace to push to (e.g. registry.internal/istio)")
	fl.StringVar(&f.VerifyKey, "verify-key", "", "public key that must have signed every list, image and attestation in the layout;\n"+
		"checked offline before anything is pushed; signatures are pushed along either way")
	fl.StringVar(&f.ValuesOut, "values-out", "", "file to write the Helm values for --hub to (global.hub, global.tag), which the printed\n"+
		"helm install commands pass with -f; without it they are printed")
	addRegistryFlags(fl, &f.Registries)
	return cmd
}
