package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// onceFlags makes the flags that name several things (--platforms,
// --images, --variants, --tag) refuse a second value: pflag keeps the last
// one silently, so --platform a --platform b would build b alone, where
// buildx and docker build -t take both. A scalar flag given again still
// overrides, as in most CLIs (scripts rely on it).
func onceFlags(cmd *cobra.Command) {
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() == "string" && (listFlag(f.Name) || f.Name == "tag") {
			f.Value = &once{Value: f.Value, name: f.Name}
		}
	})
	for _, c := range cmd.Commands() {
		onceFlags(c)
	}
}

// once is a string flag that may be given one time.
type once struct {
	pflag.Value
	name  string
	given string
	set   bool
}

func (o *once) Set(v string) error {
	if o.set {
		if listFlag(o.name) {
			return fmt.Errorf("--%s is given twice (%q, then %q): give it once, its values comma-separated: --%s %s,%s", o.name, o.given, v, o.name, o.given, v)
		}
		return fmt.Errorf("--%s is given twice (%q, then %q): give it once", o.name, o.given, v)
	}
	o.set, o.given = true, v
	return o.Value.Set(v)
}

// listFlag names the flags that take comma-separated values.
func listFlag(name string) bool {
	switch name {
	case "platforms", "images", "variants":
		return true
	}
	return false
}
