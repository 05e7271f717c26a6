package main

import (
	"os"

	"github.com/istio-mab/istio-mab/internal/failure"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagView reads a command's settled flags (command line, then ISTIO_MAB_*
// variables, then the config file) by name, for commands that read
// settings one at a time.
type flagView struct{ fl *pflag.FlagSet }

// settings settles cmd's flags from the environment and config file.
func settings(cmd *cobra.Command) (flagView, error) {
	fl := cmd.Flags()
	if err := applySettings(fl, flagNames(cmd.Root()), os.Environ()); err != nil {
		return flagView{}, failure.Usage(err)
	}
	return flagView{fl}, nil
}

// GetString is a string flag's value.
func (v flagView) GetString(name string) string { return getString(v.fl, name) }

// GetStringSlice is a list flag's items, as given (one item for a plain
// string flag; callers split commas).
func (v flagView) GetStringSlice(name string) []string {
	if f := v.fl.Lookup(name); f != nil && f.Value.Type() == "stringArray" {
		return getStrings(v.fl, name)
	}
	if s := getString(v.fl, name); s != "" {
		return []string{s}
	}
	return nil
}
