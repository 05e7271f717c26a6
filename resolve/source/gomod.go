package source

import (
	"fmt"
	"path"
	"strings"

	"golang.org/x/mod/modfile"
)

// LocalModules lists the directories go.mod replaces modules with (a
// "=> ./dir" replace): the module download needs their go.mod too.
func LocalModules(gomod []byte) ([]string, error) {
	f, err := modfile.Parse("go.mod", gomod, nil)
	if err != nil {
		return nil, fmt.Errorf("reading go.mod: %w", err)
	}
	var dirs []string
	for _, r := range f.Replace {
		if p := r.New.Path; r.New.Version == "" && (strings.HasPrefix(p, "./") || strings.HasPrefix(p, "../")) {
			dirs = append(dirs, path.Clean(p))
		}
	}
	return dirs, nil
}
