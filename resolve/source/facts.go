package source

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/istio-mab/istio-mab/plan"
)

// ProxySHA reads PROXY_REPO_SHA's lastStableSHA from istio.deps.
func ProxySHA(istioDeps []byte) (string, error) {
	var deps []struct {
		Name          string `json:"name"`
		LastStableSHA string `json:"lastStableSHA"`
	}
	if err := json.Unmarshal(istioDeps, &deps); err != nil {
		return "", fmt.Errorf("reading istio.deps: %w", err)
	}
	for _, d := range deps {
		if d.Name == "PROXY_REPO_SHA" && d.LastStableSHA != "" {
			return d.LastStableSHA, nil
		}
	}
	return "", fmt.Errorf("reading istio.deps: no PROXY_REPO_SHA entry with lastStableSHA")
}

var baseVersionLine = regexp.MustCompile(`(?m)^BASE_VERSION\s*\?=\s*(\S+)\s*$`)

// BaseVersion reads `BASE_VERSION ?= ...` from Makefile.core.mk.
func BaseVersion(makefile []byte) (string, error) {
	m := baseVersionLine.FindSubmatch(makefile)
	if m == nil {
		return "", fmt.Errorf("reading Makefile.core.mk: no BASE_VERSION ?= line")
	}
	return string(m[1]), nil
}

// CommitTime reads the committer time from a raw git commit object.
func CommitTime(commitObject []byte) (int64, error) {
	for _, line := range strings.Split(string(commitObject), "\n") {
		if rest, ok := strings.CutPrefix(line, "committer "); ok {
			fields := strings.Fields(rest)
			if len(fields) >= 2 {
				var t int64
				_, err := fmt.Sscan(fields[len(fields)-2], &t)
				return t, err
			}
		}
	}
	return 0, fmt.Errorf("reading commit object: no committer line")
}

// ReadFunc reads a file of the source tree by its path.
type ReadFunc func(path string) ([]byte, error)

// Layout is what a recipe expects in the tree.
type Layout struct {
	Required    []string // paths that must exist
	Dockerfiles []string // whose FROM images are read
}

// ReadFacts fills the proxy SHA, BASE_VERSION and the Dockerfiles' base
// images, and checks that every required path exists, so a tree of an
// unexpected layout fails before any build.
func ReadFacts(read ReadFunc, facts *plan.Facts, layout Layout) error {
	for _, p := range layout.Required {
		if _, err := read(p); err != nil {
			return fmt.Errorf("source has no %s, which the recipe expects: is --version the right release line?", p)
		}
	}
	deps, err := read("istio.deps")
	if err != nil {
		return fmt.Errorf("source has no istio.deps: is this an Istio source tree?")
	}
	if facts.ProxySHA, err = ProxySHA(deps); err != nil {
		return err
	}
	mk, err := read("Makefile.core.mk")
	if err != nil {
		return fmt.Errorf("source has no Makefile.core.mk: is this an Istio source tree?")
	}
	if facts.BaseVersion, err = BaseVersion(mk); err != nil {
		return err
	}
	facts.Tree = ReadTree(mk, optional(read, "bin/init.sh"), optional(read, "common/scripts/report_build_info.sh"))
	if sum, err := read("go.sum"); err == nil {
		facts.GoSum = fmt.Sprintf("%x", sha256.Sum256(sum))
	}
	gomod, err := read("go.mod")
	if err != nil {
		return fmt.Errorf("source has no go.mod: is this an Istio source tree?")
	}
	if facts.LocalModules, err = LocalModules(gomod); err != nil {
		return err
	}
	return readDockerfiles(read, facts, layout.Dockerfiles)
}

func readDockerfiles(read ReadFunc, facts *plan.Facts, dockerfiles []string) error {
	facts.Dockerfiles = map[string]plan.Dockerfile{}
	for _, path := range dockerfiles {
		b, err := read(path)
		if err != nil {
			return fmt.Errorf("source has no %s, which the recipe expects: is --version the right release line?", path)
		}
		if facts.Dockerfiles[path], err = ReadDockerfile(b, map[string]string{"BASE_VERSION": facts.BaseVersion}); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	return nil
}
