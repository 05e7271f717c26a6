package source

import (
	"regexp"
	"strings"

	"github.com/istio-mab/istio-mab/plan"
)

var (
	tagsLine         = regexp.MustCompile(`(?m)^((?:AGENT|STANDARD)_TAGS)\s*[:?]?=\s*(\S+)\s*$`)
	baseRegistryLine = regexp.MustCompile(`(?m)^ISTIO_BASE_REGISTRY\s*\?=\s*(\S+)\s*$`)
	envoyBaseURLLine = regexp.MustCompile(`ISTIO_ENVOY_BASE_URL="\$\{ISTIO_ENVOY_BASE_URL:-([^}"]+)\}"`)
	envoyBaseURLMake = regexp.MustCompile(`(?m)^export ISTIO_ENVOY_BASE_URL\s*\?=\s*(\S+)\s*$`) // up to 1.14
	versionPkgLine   = regexp.MustCompile(`(?m)^echo "([a-z0-9./_-]+)\.buildVersion=`)
)

// ReadTree reads what the tree states about its own build, each in the one
// line upstream states it: the build tags and base registry in
// Makefile.core.mk, Envoy's base URL in bin/init.sh (in Makefile.core.mk in
// older lines), the version package in common/scripts/report_build_info.sh. A file or line not there is left empty.
func ReadTree(makefile, initSh, buildInfo []byte) plan.Tree {
	var t plan.Tree
	for _, m := range tagsLine.FindAllSubmatch(makefile, -1) {
		if t.Tags == nil {
			t.Tags = map[string][]string{}
		}
		t.Tags[string(m[1])] = strings.Split(string(m[2]), ",")
	}
	t.BaseRegistry = submatch(baseRegistryLine, makefile)
	if t.EnvoyBaseURL = submatch(envoyBaseURLLine, initSh); t.EnvoyBaseURL == "" {
		t.EnvoyBaseURL = submatch(envoyBaseURLMake, makefile)
	}
	t.VersionPackage = submatch(versionPkgLine, buildInfo)
	return t
}

func submatch(re *regexp.Regexp, b []byte) string {
	if m := re.FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

// optional reads a file the tree may not have: nil when it has not.
func optional(read ReadFunc, path string) []byte {
	b, err := read(path)
	if err != nil {
		return nil
	}
	return b
}
