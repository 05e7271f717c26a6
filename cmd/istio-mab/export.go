package main

import (
	"os"

	"github.com/spf13/cobra"

	"github.com/istio-mab/istio-mab/carry"
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
		return err
	}
	out, err := parseTo(v.GetString("to"))
	if err != nil {
		return err
	}
	r, _, err := releaseIn(v, hub, unique(splitAll(v.GetStringSlice("images"))))
	if err != nil {
		return err
	}
	access, err := parseAccess(v.fl, map[string]bool{})
	if err != nil {
		return err
	}
	res, st, err := carry.ToLayout(cmd.Context(), access, r, out.layoutDir, carry.CopyOptions{})
	if err == nil && out.tarFile != "" {
		err = carry.Pack(out.layoutDir, out.tarFile)
		os.RemoveAll(out.layoutDir)
	}
	if err != nil {
		return err
	}
	printCopy(cmd, res, st)
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
