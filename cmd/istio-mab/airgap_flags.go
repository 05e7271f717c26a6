package main

import (
	"github.com/istio-mab/istio-mab/builder/plan"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

// registerAirgapFlags adds build's flags for carrying a release across an
// air gap: the manifest format, and an OCI layout in place of a registry.
func registerAirgapFlags(cmd *cobra.Command) {
	cmd.Flags().String("media-types", string(plan.OCI), "manifest format of images and lists: oci (OCI image index, carried by OCI layouts with every digest unchanged) or docker (Docker manifest list)")
}

// parseAirgap reads those flags into o.
func parseAirgap(v *viper.Viper, o *buildOptions) (err error) {
	o.plan.MediaTypes, err = plan.ParseMediaTypes(v.GetString("media-types"))
	return err
}
