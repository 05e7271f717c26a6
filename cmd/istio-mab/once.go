package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// onceFlags makes the list flags (--platforms, --images, --variants) add up
// when repeated, as buildx's --platform does: pflag would keep the last one
// silently, so --platform a --platform b would build b alone. --tag names
// the one tag a run moves, so a second one is refused rather than chosen.
// Other scalar flags given again still override, as in most CLIs (scripts
// rely on it).
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

// once is a string flag that is a list (repeats add up) or a tag (given once).
type once struct {
	pflag.Value
	name  string
	given string
	set   bool
}

func (o *once) Set(v string) error {
	switch {
	case o.set && listFlag(o.name):
		v = o.given + "," + v
	case o.set:
		return fmt.Errorf("--%s is given twice (%q, then %q): a run moves one tag; give it once", o.name, o.given, v)
	}
	o.set, o.given = true, v
	return o.Value.Set(v)
}

// listFlag names the flags that take comma-separated values.
func listFlag(name string) bool {
	switch name {
	case "platforms", "images", "variants", "istioctl":
		return true
	}
	return false
}
