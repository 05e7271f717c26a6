package main

import (
	"fmt"
	"github.com/istio-mab/istio-mab/report"
	"os"

	"github.com/istio-mab/istio-mab/carry"
	"github.com/istio-mab/istio-mab/publish"
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
		return err
	}
	access, err := parseAccess(v.fl, map[string]bool{})
	if err != nil {
		return err
	}
	dir, cleanup, err := layoutFrom(v.GetString("from"))
	if err != nil {
		return err
	}
	defer cleanup()
	res, err := carry.Import(cmd.Context(), dir, hub, access, publish.Options{})
	if err != nil {
		return err
	}
	report.PrintLists(cmd.OutOrStdout(), res)
	return nil
}

// layoutFrom is the layout directory of --from: the directory itself, or a
// tarball unpacked into a temporary one that cleanup removes.
func layoutFrom(from string) (dir string, cleanup func(), err error) {
	st, err := os.Stat(from)
	switch {
	case from == "":
		return "", nil, fmt.Errorf("--from is required: the layout directory or tarball to import")
	case err != nil:
		return "", nil, fmt.Errorf("--from %s: %w", from, err)
	case st.IsDir():
		return from, func() {}, nil
	}
	tmp, err := os.MkdirTemp("", "istio-mab-import-")
	if err != nil {
		return "", nil, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	if err := carry.Unpack(from, tmp); err != nil {
		cleanup()
		return "", nil, err
	}
	return tmp, cleanup, nil
}
