package main

import (
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"
)

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "istio-mab",
		Short:         "Rebuild Istio's images and binaries for several CPU architectures",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newBuildCommand())
	root.AddCommand(newImportCommand(), newExportCommand(), newMirrorCommand(), newLockCommand())
	return root
}

// newConfig reads settings with the precedence flags, then ISTIO_MAB_*
// environment, then the config file, then defaults.
func newConfig(cmd *cobra.Command, file string) (*viper.Viper, error) {
	v := viper.New()
	v.SetEnvPrefix("ISTIO_MAB")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	if err := v.BindPFlags(cmd.Flags()); err != nil {
		return nil, err
	}
	if file != "" {
		v.SetConfigFile(file)
		if err := v.ReadInConfig(); err != nil {
			return nil, err
		}
	}
	return v, nil
}
